const TEMPLATE = '{tenantid}';
/** Entra tenant ids are lower-case GUIDs; anything else cannot fill a `{tenantid}` template. */
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Matches `iss` exactly (RFC 7519 §2: case-sensitive, no normalisation). A `{tenantid}` template
 * matches only when the substituted value equals the token's `tid` (DESIGN V3).
 */
export class IssuerMatcher {
  private readonly exact = new Set<string>();
  private readonly templates: { prefix: string; suffix: string }[] = [];

  constructor(issuers: readonly string[]) {
    for (const issuer of issuers) {
      const at = issuer.indexOf(TEMPLATE);
      if (at < 0) this.exact.add(issuer);
      else
        this.templates.push({
          prefix: issuer.slice(0, at),
          suffix: issuer.slice(at + TEMPLATE.length),
        });
    }
  }

  /** Does `iss` match, given the token's (unverified until checked) `tid`? */
  matches(iss: string, tid: unknown): boolean {
    if (this.exact.has(iss)) return true;
    if (typeof tid !== 'string' || !TENANT_ID.test(tid)) return false;
    return this.templates.some((t) => iss === t.prefix + tid + t.suffix);
  }

  /** Exact issuers, for detecting two providers that claim the same one. */
  exactIssuers(): readonly string[] {
    return [...this.exact];
  }
}

/**
 * DESIGN V3: where a JWKS key carries an `issuer` (Entra multi-tenant keys), the token's issuer must
 * match it with `{tenantid}` replaced by the token's `tid`. Entra publishes one key set for v1 and v2
 * tokens, so a v1 issuer (`https://sts.windows.net/<tid>/`) matches a v2 key issuer of the same tenant.
 */
export function keyIssuerAllows(keyIssuer: string, iss: string, tid: unknown): boolean {
  const tenant = typeof tid === 'string' && TENANT_ID.test(tid) ? tid : undefined;
  if (keyIssuer.includes(TEMPLATE) && !tenant) return false;
  const expected = tenant ? keyIssuer.split(TEMPLATE).join(tenant) : keyIssuer;
  if (iss === expected) return true;
  return (
    tenant !== undefined &&
    iss === `https://sts.windows.net/${tenant}/` &&
    /\/v2\.0$/.test(expected) &&
    expected.includes(`/${tenant}/`)
  );
}

/**
 * Entra's v1 issuer (`https://sts.windows.net/<tid>/`) only signs `ver: "1.0"` tokens and its v2
 * issuers (`…/<tid>/v2.0`) only `ver: "2.0"` ones. A token that claims one form with the other
 * version was not made by Entra (ATTACKS CLM-07). Other `ver` values, or none, are not judged.
 */
export function entraVersionAgrees(iss: string, ver: unknown): boolean {
  if (ver === '2.0') return !iss.startsWith('https://sts.windows.net/');
  if (ver === '1.0') return !iss.endsWith('/v2.0');
  return true;
}
