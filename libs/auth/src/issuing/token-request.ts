import { hasDuplicateMembers } from '../json/duplicate-members';
import { OAuthError } from './oauth.errors';

/** The request-like object the endpoints read: Express's, or anything with the same members. */
export interface TokenHttpRequest {
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  /** The body as received, when the app keeps it (`NestFactory.create(…, { rawBody: true })`). */
  rawBody?: Buffer;
  readable?: boolean;
  on?(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** Largest body read when no body parser ran (the tokens are ~100 bytes). */
const MAX_RAW_BODY_BYTES = 16 * 1024;
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/**
 * Reads the parameters of a token or revocation request (RFC 6749 §3.2, RT1): a form
 * (`application/x-www-form-urlencoded`) or JSON object, each parameter a single string.
 *
 * A repeated parameter, an array, object, number or `null` (what qs "extended" parsing makes of
 * `a[$ne]=x`, or a JSON injection shape) is 400 `invalid_request` (RT-05) — never coerced. Another
 * content type is 400 `invalid_request`. Uses the body Nest's parser already read; reads the raw
 * body itself (capped) when no parser ran.
 */
export async function readTokenParams(req: TokenHttpRequest): Promise<Map<string, string>> {
  const type = mediaType(req.headers['content-type']);
  if (type === undefined) {
    if (hasBody(req)) throw OAuthError.invalidRequest('use application/x-www-form-urlencoded');
    return new Map();
  }
  if (type !== FORM && type !== JSON_TYPE) {
    throw OAuthError.invalidRequest('use application/x-www-form-urlencoded or application/json');
  }
  const body = req.body;
  if (body === undefined || (isEmptyObject(body) && req.readable)) {
    const raw = await readRaw(req);
    if (type === FORM) return formParams(raw);
    const parsed = parseJson(raw);
    rejectRepeatedMembers(raw, parsed);
    return objectParams(parsed);
  }
  // A JSON parser keeps the last of repeated members; the raw body, when kept, shows them.
  if (type === JSON_TYPE && Buffer.isBuffer(req.rawBody))
    rejectRepeatedMembers(req.rawBody.toString('utf8'));
  return typeof body === 'string' && type === FORM ? formParams(body) : objectParams(body);
}

/** RFC 6749 §3.2: parameters must not repeat; in JSON, that is a repeated member. */
function rejectRepeatedMembers(raw: string, parsed?: unknown): void {
  let repeated: boolean;
  try {
    repeated = hasDuplicateMembers(raw, parsed);
  } catch {
    return; // not JSON: the parse error itself is reported where the body is parsed
  }
  if (repeated) throw OAuthError.invalidRequest('a parameter is repeated');
}

function formParams(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(raw)) {
    if (out.has(name)) throw OAuthError.invalidRequest('a parameter is repeated');
    out.set(name, value);
  }
  return out;
}

function objectParams(body: unknown): Map<string, string> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw OAuthError.invalidRequest('the body must be an object of parameters');
  }
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(body)) {
    if (Array.isArray(value)) throw OAuthError.invalidRequest('a parameter is repeated');
    if (typeof value !== 'string')
      throw OAuthError.invalidRequest('every parameter must be a string');
    out.set(name, value);
  }
  return out;
}

function parseJson(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw OAuthError.invalidRequest('the body is not valid JSON');
  }
}

function mediaType(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  return value.split(';')[0].trim().toLowerCase();
}

function hasBody(req: TokenHttpRequest): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function isEmptyObject(value: unknown): boolean {
  return !!value && typeof value === 'object' && Object.keys(value).length === 0;
}

function readRaw(req: TokenHttpRequest): Promise<string> {
  if (!req.readable || typeof req.on !== 'function') return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on!('data', (chunk: unknown) => {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buffer.length;
      if (size > MAX_RAW_BODY_BYTES) {
        reject(new OAuthError('invalid_request', 'the request body is too large', 413));
        return;
      }
      chunks.push(buffer);
    });
    req.on!('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on!('error', () => reject(OAuthError.invalidRequest('the request body could not be read')));
  });
}
