import { get, type IncomingHttpHeaders } from 'node:http';
import { DISCOVERY_PATH, JwksServer } from './jwks-server';

const JWKS = JSON.stringify({ keys: [{ kty: 'RSA', kid: 'k1', n: 'AQAB', e: 'AQAB' }] });
const DISCOVERY = JSON.stringify({ issuer: 'https://issuer.test/', jwks_uri: 'x' });

interface Observed {
  status?: number;
  headers?: IncomingHttpHeaders;
  body: string;
  bytes: number;
  ended: boolean;
  error?: NodeJS.ErrnoException;
  /** The wait ran out before the response ended (or before it even started). */
  timedOut: boolean;
  elapsedMs: number;
}

/** A real HTTP client that reports what arrived within `waitMs`, then gives up. */
function observe(url: string, waitMs = 2000, keepBody = true): Promise<Observed> {
  const started = Date.now();
  return new Promise((resolve) => {
    const seen: Observed = { body: '', bytes: 0, ended: false, timedOut: false, elapsedMs: 0 };
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      seen.elapsedMs = Date.now() - started;
      // A copy: destroying the request may still report an error after we resolve.
      resolve({ ...seen });
      req.destroy();
    };
    const timer = setTimeout(() => {
      seen.timedOut = true;
      finish();
    }, waitMs);
    const req = get(url, { agent: false }, (res) => {
      seen.status = res.statusCode;
      seen.headers = res.headers;
      res.on('data', (chunk: Buffer) => {
        seen.bytes += chunk.length;
        if (keepBody) seen.body += chunk.toString('utf8');
      });
      res.on('end', () => {
        seen.ended = true;
        finish();
      });
      res.on('error', (error) => (seen.error ??= error));
      // A socket destroyed mid-body ends the response with 'close' but no 'end'.
      res.on('close', finish);
    });
    req.on('error', (error) => {
      seen.error ??= error;
      finish();
    });
  });
}

describe('JwksServer', () => {
  let server: JwksServer;
  let url: string;

  beforeEach(async () => {
    server = await JwksServer.start({
      path: '/jwks',
      jwks: () => JWKS,
      discovery: () => DISCOVERY,
    });
    url = `${server.origin}/jwks`;
  });

  afterEach(() => server.stop());

  it('listens on 127.0.0.1 with an ephemeral port', () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.origin).not.toMatch(/:0$/);
  });

  it('serves the JWKS as cacheable JSON', async () => {
    const seen = await observe(url);
    expect(seen.status).toBe(200);
    expect(seen.headers?.['content-type']).toBe('application/json');
    expect(seen.headers?.['cache-control']).toBe('max-age=600');
    expect(seen.body).toBe(JWKS);
  });

  it('counts every request, any path, and discovery requests apart', async () => {
    await observe(url);
    expect((await observe(`${server.origin}/other?x=1`)).status).toBe(404);
    const discovery = await observe(`${server.origin}${DISCOVERY_PATH}`);
    expect(discovery.body).toBe(DISCOVERY);
    expect(server.fetchCount).toBe(2);
    expect(server.discoveryCount).toBe(1);
    server.resetFetchCount();
    expect(server.fetchCount).toBe(0);
    expect(server.discoveryCount).toBe(0);
  });

  it.each([
    ['status500', 500],
    ['status404', 404],
  ] as const)('%s answers with that status', async (fault, status) => {
    server.setFault(fault);
    const seen = await observe(url);
    expect(seen.status).toBe(status);
    expect(seen.ended).toBe(true);
  });

  it('html answers 200 text/html', async () => {
    server.setFault('html');
    const seen = await observe(url);
    expect(seen.status).toBe(200);
    expect(seen.headers?.['content-type']).toMatch(/^text\/html/);
    expect(seen.body).toMatch(/^<!doctype html>/);
  });

  it('garbage answers 200 application/json that is not JSON', async () => {
    server.setFault('garbage');
    const seen = await observe(url);
    expect(seen.status).toBe(200);
    expect(seen.headers?.['content-type']).toBe('application/json');
    expect(() => JSON.parse(seen.body)).toThrow(SyntaxError);
  });

  it('huge streams at least 10 MiB of valid JSON without a Content-Length', async () => {
    server.setFault('huge');
    const seen = await observe(url, 5000);
    expect(seen.ended).toBe(true);
    expect(seen.headers?.['content-length']).toBeUndefined();
    expect(seen.bytes).toBeGreaterThanOrEqual(10 * 1024 * 1024);
    expect(JSON.parse(seen.body).keys).toEqual(JSON.parse(JWKS).keys);
  });

  it('hang never answers, so a 300 ms client times out', async () => {
    server.setFault('hang');
    const seen = await observe(url, 300);
    expect(seen.timedOut).toBe(true);
    expect(seen.status).toBeUndefined();
    expect(seen.error).toBeUndefined();
    expect(server.fetchCount).toBe(1);
  });

  it('stallAfterHeaders flushes headers and a partial body, then keeps the socket open', async () => {
    server.setFault('stallAfterHeaders');
    const seen = await observe(url, 300);
    expect(seen.status).toBe(200);
    expect(seen.body).toBe('{"keys":[');
    expect(seen.ended).toBe(false);
    expect(seen.error).toBeUndefined();
  });

  it('trickle sends the first byte at once and no more within 500 ms', async () => {
    server.setFault('trickle');
    const seen = await observe(url, 500);
    expect(seen.status).toBe(200);
    expect(seen.body).toBe('{');
    expect(seen.ended).toBe(false);
  });

  it('reset resets the connection', async () => {
    server.setFault('reset');
    const seen = await observe(url);
    expect(seen.status).toBeUndefined();
    expect(seen.error?.code).toBe('ECONNRESET');
  });

  it('redirect answers 302 to the target', async () => {
    server.setFault('redirect');
    server.setRedirectTarget('http://127.0.0.1:1/canary.json');
    const seen = await observe(url);
    expect(seen.status).toBe(302);
    expect(seen.headers?.location).toBe('http://127.0.0.1:1/canary.json');
  });

  it("'none' restores normal answers", async () => {
    server.setFault('status500');
    server.setFault('none');
    expect((await observe(url)).status).toBe(200);
  });

  it('faults the discovery document separately', async () => {
    server.setDiscoveryFault('status500');
    expect((await observe(`${server.origin}${DISCOVERY_PATH}`)).status).toBe(500);
    expect((await observe(url)).status).toBe(200);
    server.setFault('status404');
    server.setDiscoveryFault('none');
    expect((await observe(`${server.origin}${DISCOVERY_PATH}`)).status).toBe(200);
  });

  it('delays answers by setDelay', async () => {
    server.setDelay(250);
    const seen = await observe(url);
    expect(seen.status).toBe(200);
    expect(seen.elapsedMs).toBeGreaterThanOrEqual(240);
  });

  it('stop() destroys hung, stalled, trickling and delayed sockets', async () => {
    const pending: Promise<Observed>[] = [];
    for (const fault of ['hang', 'stallAfterHeaders', 'trickle'] as const) {
      server.setFault(fault);
      pending.push(observe(url, 5000));
      await waitFor(() => server.fetchCount === pending.length);
    }
    server.setFault('none');
    server.setDelay(5000);
    pending.push(observe(url, 5000));
    await waitFor(() => server.fetchCount === pending.length);

    const started = Date.now();
    await server.stop();
    const results = await Promise.all(pending);
    expect(Date.now() - started).toBeLessThan(1000);
    for (const seen of results) {
      expect(seen.timedOut).toBe(false);
      expect(seen.ended).toBe(false);
    }
    await server.stop(); // idempotent
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
