import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * How the JWKS endpoint misbehaves (ATTACKS.md JWKS-04, JWKS-05), each real on the socket:
 * - `none`: answer normally.
 * - `status500` / `status404`: that status with a small JSON error body.
 * - `html`: `200` with `text/html` (a login or captive-portal page).
 * - `garbage`: `200`, `application/json`, a body that is not JSON.
 * - `huge`: `200` with a ≥ 10 MiB JSON body (chunked, no `Content-Length`, so only a body cap helps).
 * - `hang`: accept the connection and read the request, never answer.
 * - `stallAfterHeaders`: `200` headers and `{"keys":[` flushed, then nothing; the socket stays open.
 * - `trickle`: `200` headers and the real body one byte every 4 s, the first byte at once.
 * - `reset`: reset the TCP connection (RST) on receipt of the request.
 * - `redirect`: `302` to the URL given to `setRedirectTarget`.
 */
export type JwksFault =
  | 'none'
  | 'status500'
  | 'status404'
  | 'html'
  | 'garbage'
  | 'huge'
  | 'hang'
  | 'stallAfterHeaders'
  | 'trickle'
  | 'reset'
  | 'redirect';

/** What {@link JwksServer.start} serves; the bodies are read on every request, so they stay current. */
export interface JwksServerOptions {
  /** Path of the JWKS document, e.g. `/.well-known/jwks.json`. */
  path: string;
  /** Body of the JWKS document. */
  jwks: () => string;
  /** Body of `/.well-known/openid-configuration`. */
  discovery: () => string;
}

/** The OIDC discovery path (OpenID Connect Discovery 1.0 §4), served beside the JWKS. */
export const DISCOVERY_PATH = '/.well-known/openid-configuration';

const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=600' };
const TRICKLE_INTERVAL_MS = 4000;
const HUGE_BYTES = 10 * 1024 * 1024;

/**
 * A real HTTP server on `127.0.0.1` (ephemeral port) that serves a JWKS and an OIDC discovery
 * document, counts requests, and can be told to fail in the ways of {@link JwksFault}.
 * `stop()` closes it and destroys every socket, hung ones too, so Jest can exit.
 */
export class JwksServer {
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private fault: JwksFault = 'none';
  private discoveryFault: JwksFault = 'none';
  private redirectTarget = 'http://redirect-target.invalid/jwks.json';
  private delayMs = 0;
  private jwksRequests = 0;
  private discoveryRequests = 0;
  private stopped = false;
  private port = 0;

  private constructor(
    private readonly server: Server,
    private readonly options: JwksServerOptions,
  ) {}

  /** Starts the server on `127.0.0.1:0`. */
  static async start(options: JwksServerOptions): Promise<JwksServer> {
    const server = createServer();
    const jwksServer = new JwksServer(server, options);
    server.on('request', (req, res) => jwksServer.handle(req, res));
    server.on('connection', (socket) => jwksServer.track(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        // Kept, so URLs stay printable (and still refuse connections) after stop().
        jwksServer.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
    return jwksServer;
  }

  /** `http://127.0.0.1:<port>`, no trailing slash. */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Requests received on any path except the discovery document, counted on arrival. */
  get fetchCount(): number {
    return this.jwksRequests;
  }

  /** Requests received for the discovery document. */
  get discoveryCount(): number {
    return this.discoveryRequests;
  }

  /** Sets both counters to zero. */
  resetFetchCount(): void {
    this.jwksRequests = 0;
    this.discoveryRequests = 0;
  }

  /** Fault of every request except discovery ones. */
  setFault(fault: JwksFault): void {
    this.fault = fault;
  }

  /** Fault of discovery requests only. */
  setDiscoveryFault(fault: JwksFault): void {
    this.discoveryFault = fault;
  }

  /** `Location` of the `redirect` fault. */
  setRedirectTarget(url: string): void {
    this.redirectTarget = url;
  }

  /** Wait this long before answering a non-discovery request (whatever the fault). */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  /** Stops listening, clears every timer and destroys every open socket. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  private track(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    // A client that gives up mid-body must not crash the server with EPIPE/ECONNRESET.
    res.on('error', () => undefined);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === DISCOVERY_PATH) {
      this.discoveryRequests++;
      this.respond(req, res, this.discoveryFault, () => this.options.discovery());
      return;
    }
    this.jwksRequests++;
    const answer = () =>
      this.respond(req, res, this.fault, () =>
        path === this.options.path ? this.options.jwks() : undefined,
      );
    if (this.delayMs > 0) this.later(this.delayMs, answer);
    else answer();
  }

  /** `body` returns undefined when the path is unknown (404). */
  private respond(
    req: IncomingMessage,
    res: ServerResponse,
    fault: JwksFault,
    body: () => string | undefined,
  ): void {
    if (this.stopped || res.destroyed) return;
    switch (fault) {
      case 'none': {
        const text = body();
        if (text === undefined) return send(res, 404, '{"error":"not_found"}');
        return send(res, 200, text, JSON_HEADERS);
      }
      case 'status500':
        return send(res, 500, '{"error":"server_error"}');
      case 'status404':
        return send(res, 404, '{"error":"not_found"}');
      case 'html':
        return send(res, 200, '<!doctype html><html><body><h1>Sign in</h1></body></html>', {
          'Content-Type': 'text/html; charset=utf-8',
        });
      case 'garbage':
        return send(res, 200, '\u0000\u00ff<<not json>> {"keys":[{', JSON_HEADERS);
      case 'huge':
        return streamHuge(res, body() ?? '{"keys":[]}');
      case 'hang':
        return; // the socket stays tracked, so stop() still destroys it
      case 'stallAfterHeaders':
        res.writeHead(200, JSON_HEADERS);
        res.write('{"keys":[');
        return;
      case 'trickle':
        res.writeHead(200, JSON_HEADERS);
        return this.trickle(res, Buffer.from(body() ?? '{"keys":[]}', 'utf8'), 0);
      case 'reset':
        // resetAndDestroy sends RST, so the client sees ECONNRESET rather than a clean close.
        req.socket.resetAndDestroy();
        return;
      case 'redirect':
        res.writeHead(302, { Location: this.redirectTarget, 'Content-Length': '0' });
        res.end();
        return;
    }
  }

  private trickle(res: ServerResponse, bytes: Buffer, index: number): void {
    if (this.stopped || res.destroyed) return;
    if (index >= bytes.length) {
      res.end();
      return;
    }
    res.write(bytes.subarray(index, index + 1));
    this.later(TRICKLE_INTERVAL_MS, () => this.trickle(res, bytes, index + 1));
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = { 'Content-Type': 'application/json' },
): void {
  res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Valid JSON (the real keys plus a padding member), so a client without a body cap would accept it. */
function streamHuge(res: ServerResponse, jwks: string): void {
  res.writeHead(200, JSON_HEADERS);
  res.write(`${jwks.replace(/}\s*$/, '')},"padding":"`);
  const chunk = 'x'.repeat(64 * 1024);
  let remaining = Math.ceil(HUGE_BYTES / chunk.length);
  const pump = (): void => {
    while (remaining > 0) {
      if (res.destroyed) return;
      remaining--;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end('"}');
  };
  pump();
}
