import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestKey } from '@app/auth/testing';

/**
 * An attacker's server on loopback (ATTACKS HDR-02): serves a JWKS and a PEM for the attacker key
 * and a redirect to them, and counts every request. A defended module never calls it.
 */
export class Canary {
  requests = 0;
  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(key: TestKey): Promise<Canary> {
    const jwks = JSON.stringify({ keys: [key.publicJwk] });
    const pem = key.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    let canary: Canary | undefined;
    const server = createServer((req, res) => {
      canary!.requests++;
      if (req.url === '/redirect') {
        res.writeHead(302, { Location: '/jwks.json' }).end();
      } else if (req.url === '/cert.pem') {
        res.writeHead(200, { 'Content-Type': 'application/x-pem-file' }).end(pem);
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(jwks);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    canary = new Canary(server, `http://127.0.0.1:${port}`);
    return canary;
  }

  /** `127.0.0.1:<port>`. */
  get host(): string {
    return this.origin.slice('http://'.length);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A JWKS endpoint that serves whatever text the test sets (odd shapes the kit cannot make). */
export class ScriptedJwks {
  body = '{"keys":[]}';
  requests = 0;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<ScriptedJwks> {
    let scripted: ScriptedJwks | undefined;
    const server = createServer((_req, res) => {
      scripted!.requests++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(scripted!.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    scripted = new ScriptedJwks(server, `http://127.0.0.1:${port}/jwks.json`);
    return scripted;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
