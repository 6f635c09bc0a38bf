/**
 * Decodes the `claims` parameter of an `insufficient_claims` challenge (Entra Continuous Access
 * Evaluation; DESIGN E5): base64 (or base64url) of a JSON object such as
 * `{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}`. Works in browsers and Node
 * (uses `atob` and `TextDecoder`, no `Buffer`).
 *
 * @throws TypeError when the value is not base64 of a JSON object.
 */
export function decodeClaimsChallenge(claims: string): Record<string, unknown> {
  let json: unknown;
  try {
    const base64 = claims.trim().replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const binary = atob(padded);
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new TypeError('The claims challenge is not base64 of a JSON object');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new TypeError('The claims challenge is not base64 of a JSON object');
  }
  return json as Record<string, unknown>;
}
