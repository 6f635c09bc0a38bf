/**
 * Builds RFC 6750 §3 `WWW-Authenticate: Bearer …` values.
 * Attribute values are quoted-strings; `"` and `\` are escaped so no input can break the header.
 */
export function bearerChallenge(
  realm: string,
  attributes: Record<string, string | undefined> = {},
) {
  const parts = [`realm="${quote(realm)}"`];
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) parts.push(`${name}="${quote(value)}"`);
  }
  return `Bearer ${parts.join(', ')}`;
}

function quote(value: string): string {
  // Header values must stay printable ASCII on one line (RFC 9110 §5.5).
  return value.replace(/[^\x20-\x7e]/g, '?').replace(/(["\\])/g, '\\$1');
}
