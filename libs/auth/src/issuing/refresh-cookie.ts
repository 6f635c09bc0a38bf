import type { ResolvedRefreshCookie } from './issuing-config';

/**
 * Reads one cookie from a `Cookie` header (RFC 6265 §5.4) without a cookie parser. When the name
 * appears twice the first wins: browsers send the cookie with the most specific path first.
 */
export function readCookie(
  header: string | string[] | undefined,
  name: string,
): string | undefined {
  const value = Array.isArray(header) ? header.join('; ') : header;
  if (!value) return undefined;
  for (const pair of value.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    let cookie = pair.slice(eq + 1).trim();
    if (cookie.startsWith('"') && cookie.endsWith('"') && cookie.length >= 2)
      cookie = cookie.slice(1, -1);
    return cookie;
  }
  return undefined;
}

/** RT6: the `Set-Cookie` value carrying a refresh token: HttpOnly, Secure, SameSite=Strict. */
export function refreshCookie(
  cookie: ResolvedRefreshCookie,
  token: string,
  maxAgeSeconds: number,
): string {
  const maxAge = Math.max(0, Math.floor(maxAgeSeconds));
  return `${cookie.name}=${token}; Path=${cookie.path}; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Strict`;
}

/** The `Set-Cookie` value that deletes the refresh cookie (logout). */
export function clearedRefreshCookie(cookie: ResolvedRefreshCookie): string {
  return `${cookie.name}=; Path=${cookie.path}; Max-Age=0; HttpOnly; Secure; SameSite=Strict`;
}
