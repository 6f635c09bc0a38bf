import { InvalidRequestError, InvalidTokenError } from '../errors/auth.errors';
import type { AuthRequest } from './request-of';

/** RFC 6750 §2.1 `b64token`; linear, anchored, and only run on length-capped input. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Reads the one bearer token of a request (DESIGN E1, E3; ATTACKS TRN-*, ENC-05, ENC-06).
 * Returns undefined when there are no bearer credentials (another scheme counts as none).
 * Only the `Authorization` header is read; a token also sent in the query or body is a second
 * credential, refused. Length is checked before any pattern runs.
 *
 * The token's own syntax is left to {@link assertBearerSyntax}, which must run before the token
 * is used for anything but a lookup of the exact string: a validation-cache hit proves the
 * string passed it before, so the guard skips it then (it is the costliest step here).
 *
 * @throws InvalidRequestError for two credentials or malformed bearer syntax around the token (400).
 * @throws InvalidTokenError for a token over `maxLength` (401).
 */
export function extractBearerToken(request: AuthRequest, maxLength: number): string | undefined {
  const value = trimOws(authorizationLine(request) ?? '');
  // RFC 9110 §11.4: the scheme ends at the first SP or HTAB; RFC 6750 §2.1: `Bearer 1*SP b64token`.
  let end = 0;
  while (end < value.length && value[end] !== ' ' && value[end] !== '\t') end++;
  if (value.slice(0, end).toLowerCase() !== 'bearer' || end === value.length) return undefined;
  // A TAB (or anything but SP) between scheme and token is malformed, not another scheme (TRN-03).
  let start = end;
  while (value[start] === ' ') start++;
  const credentials = value.slice(start);
  if (start === end) throw new InvalidRequestError('Malformed Bearer credentials');
  if (credentials.length > maxLength) throw new InvalidTokenError('Token is larger than allowed');
  if (hasOtherCredential(request))
    throw new InvalidRequestError('Send the access token in one place only');
  return credentials;
}

/**
 * RFC 6750 §2.1: the credentials are one `b64token`.
 *
 * @throws InvalidRequestError for anything else (400).
 */
export function assertBearerSyntax(credentials: string): void {
  if (!B64TOKEN.test(credentials)) throw new InvalidRequestError('Malformed Bearer credentials');
}

/**
 * Strips HTTP optional whitespace (SP, HTAB) only: `String#trim` would also eat U+00A0 and other
 * Unicode spaces, and a `/\s+$/` regex is quadratic on long runs of spaces (ENC-06).
 */
function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value[start] === ' ' || value[start] === '\t')) start++;
  while (end > start && (value[end - 1] === ' ' || value[end - 1] === '\t')) end--;
  return value.slice(start, end);
}

/**
 * The one Authorization line of the request, or undefined. Node keeps only the first of repeated
 * lines in `headers`, so they are counted in `rawHeaders` (Express: on the request; Fastify: on
 * `request.raw`; ATTACKS TRN-06) — a scan of a few strings, where building `headersDistinct`
 * costs a few µs per request. Other request-like objects (WebSocket handshakes) bring
 * `headersDistinct` or `headers`.
 *
 * @throws InvalidRequestError when there is more than one line.
 */
function authorizationLine(request: AuthRequest): string | undefined {
  const raw = request.rawHeaders ?? (request.raw as AuthRequest | undefined)?.rawHeaders;
  const fromRaw = Array.isArray(raw) ? fromRawHeaders(raw as unknown[]) : undefined;
  if (fromRaw !== undefined) return fromRaw;
  // No line in rawHeaders: a request built in code (serverless adapters, tests) may carry its
  // headers only in `headers`.
  const distinct =
    request.headersDistinct ?? (request.raw as AuthRequest | undefined)?.headersDistinct;
  const lines = distinct?.authorization ?? request.headers?.authorization;
  if (!Array.isArray(lines)) return typeof lines === 'string' ? lines : undefined;
  if (lines.length > 1) throw new InvalidRequestError('Send exactly one Authorization header');
  return lines[0];
}

/** `rawHeaders` is `[name, value, name, value, …]` as received; names in any case. */
function fromRawHeaders(raw: readonly unknown[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    if (typeof name !== 'string' || name.length !== 13 || name.toLowerCase() !== 'authorization')
      continue;
    if (found !== undefined) throw new InvalidRequestError('Send exactly one Authorization header');
    found = String(raw[i + 1]);
  }
  return found;
}

/** RFC 6750 §2.2/2.3 transports, which this module does not read but must not see twice. */
function hasOtherCredential(request: AuthRequest): boolean {
  const body = request.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && 'access_token' in body) return true;
  const url = typeof request.url === 'string' ? request.url : '';
  const query = url.indexOf('?');
  if (query < 0) return false;
  const search = url.slice(query + 1);
  // The name can only be there as itself or percent-escaped (`?%61ccess_token=…`): parse then.
  if (!search.includes('access_token') && !search.includes('%')) return false;
  return new URLSearchParams(search).has('access_token');
}
