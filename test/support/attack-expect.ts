import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Response } from 'supertest';

/** The exact `WWW-Authenticate` values of ATTACKS.md's outcome shorthand, for a realm. */
export function challenges(realm = 'api') {
  return {
    /** 401 ∅: no credentials. */
    none: `Bearer realm="${realm}"`,
    /** 401 IT: a bad token; one description for every failure (no oracle). */
    invalidToken: `Bearer realm="${realm}", error="invalid_token", error_description="The access token is invalid"`,
    /** 400 IR: the description says what was malformed. */
    invalidRequest: new RegExp(
      `^Bearer realm="${realm}", error="invalid_request", error_description="[^"\\\\]+"$`,
    ),
    /** 403 IS with `scope` listing exactly what would pass. */
    insufficientScope: (scope: string) =>
      new RegExp(
        `^Bearer realm="${realm}", error="insufficient_scope", error_description="[^"\\\\]*", scope="${scope.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"$`,
      ),
  };
}

const C = challenges();

/** Library error names and stack-trace shapes that must never reach a response. */
const LEAKS = [
  /JsonWebTokenError|TokenExpiredError|NotBeforeError|SigningKeyNotFound|JwksError|JwksFetchError/,
  /\n\s+at\s/,
  /node_modules/,
  /TypeError|RangeError|SyntaxError/,
];

/**
 * The rules that hold for every row: never 5xx (unless `allow503`), no stack trace, no library
 * error name, and no 20-character slice of `token` echoed in the headers or body.
 */
export function expectSafe(res: Response, token?: string, allow503 = false): void {
  if (!(allow503 && res.status === 503)) expect(res.status).toBeLessThan(500);
  const text = `${JSON.stringify(res.headers)}\n${res.text ?? ''}`;
  for (const leak of LEAKS) expect(text).not.toMatch(leak);
  if (token && token.length >= 20) {
    for (let i = 0; i + 20 <= token.length; i += 7) {
      const slice = token.slice(i, i + 20);
      if (!text.includes(slice)) continue;
      throw new Error(`response echoes part of the token: …${slice}…`);
    }
  }
}

/** 401 IT, in the Nest error shape, with nothing echoed. */
export function expectInvalidToken(res: Response, token?: string): void {
  expectSafe(res, token);
  expect({ status: res.status, challenge: res.headers['www-authenticate'] }).toEqual({
    status: 401,
    challenge: C.invalidToken,
  });
  expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
}

/** 401 ∅: a bare challenge, no error attribute. */
export function expectNoCredentials(res: Response): void {
  expectSafe(res);
  expect({ status: res.status, challenge: res.headers['www-authenticate'] }).toEqual({
    status: 401,
    challenge: C.none,
  });
}

/** 400 IR. */
export function expectInvalidRequest(res: Response, token?: string): void {
  expectSafe(res, token);
  expect(res.status).toBe(400);
  expect(res.headers['www-authenticate']).toMatch(C.invalidRequest);
}

/** 400 IR or 401 IT: a refusal of a malformed credential either way, never 200. */
export function expectRefusedCredential(res: Response, token?: string): void {
  if (res.status === 400) expectInvalidRequest(res, token);
  else expectInvalidToken(res, token);
}

/** 403 IS with `scope="<scope>"`. */
export function expectInsufficientScope(res: Response, scope: string): void {
  expectSafe(res);
  expect(res.status).toBe(403);
  expect(res.headers['www-authenticate']).toMatch(C.insufficientScope(scope));
  expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
}

/** The shortest of `runs` timings of `send`, in ms: a slow path is slow every time, noise is not. */
export async function fastestOf(runs: number, send: () => Promise<unknown>): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await send();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/**
 * Heap still in use after a full garbage collection, in bytes: what a flood left behind (RSS also
 * counts memory V8 has freed but not returned, so it says little about leaks).
 */
export function retainedHeap(): number {
  // `--expose-gc` can be switched on at run time; `gc` then exists in new contexts.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
