import * as http from 'node:http';
import * as https from 'node:https';

/** Why a key-set fetch failed; never includes response bodies (they may echo input). */
export class JwksFetchError extends Error {
  override readonly name = 'JwksFetchError';
}

/** Limits of one fetch (ATTACKS JWKS-04, JWKS-05, JWKS-06). */
export interface FetchLimits {
  /** Total deadline for connect, headers and body, in ms. */
  timeoutMs: number;
  /** Largest accepted body, in bytes. */
  maxBytes: number;
}

/**
 * GETs a JSON document with a *total* deadline (jwks-rsa's `timeout` is only a socket-idle timeout,
 * so a server that stalls after its headers hangs it forever), a body size cap, and no redirects.
 */
export function fetchJson(url: string, limits: FetchLimits): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return reject(new JwksFetchError('invalid URL'));
    }
    const transport =
      target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
    if (!transport) return reject(new JwksFetchError(`unsupported protocol ${target.protocol}`));

    let settled = false;
    const finish = (error: Error | undefined, value?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      request.destroy();
      if (error) reject(error);
      else resolve(value);
    };
    const request = transport.get(
      target,
      { headers: { accept: 'application/json' } },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          response.resume();
          return finish(new JwksFetchError(`HTTP ${status}`));
        }
        const declared = Number(response.headers['content-length']);
        if (declared > limits.maxBytes) return finish(new JwksFetchError('response too large'));
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limits.maxBytes) return finish(new JwksFetchError('response too large'));
          chunks.push(chunk);
        });
        response.on('end', () => {
          try {
            finish(undefined, JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            finish(new JwksFetchError('response is not JSON'));
          }
        });
        response.on('error', () => finish(new JwksFetchError('response aborted')));
        response.on('aborted', () => finish(new JwksFetchError('response aborted')));
      },
    );
    request.on('error', (error) => finish(new JwksFetchError(`request failed: ${error.message}`)));
    const deadline = setTimeout(
      () => finish(new JwksFetchError(`timed out after ${limits.timeoutMs} ms`)),
      limits.timeoutMs,
    );
    deadline.unref();
  });
}
