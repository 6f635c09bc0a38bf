import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestKey } from '@app/auth/testing';

/** Starts an HTTP server on an ephemeral loopback port and returns it with its origin. */
async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/**
 * An attacker's server on loopback (ATTACKS HDR-02): serves a JWKS and a PEM for the attacker key
 * and a redirect to them, and counts every request. A defended module never calls it.
 */
export class Canary {
  requests = 0;
  origin = '';
  private readonly server: Server;

  private constructor(key: TestKey) {
    const jwks = JSON.stringify({ keys: [key.publicJwk] });
    const pem = key.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    this.server = createServer((req, res) => {
      this.requests++;
      if (req.url === '/redirect') {
        res.writeHead(302, { Location: '/jwks.json' }).end();
      } else if (req.url === '/cert.pem') {
        res.writeHead(200, { 'Content-Type': 'application/x-pem-file' }).end(pem);
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(jwks);
      }
    });
  }

  static async start(key: TestKey): Promise<Canary> {
    const canary = new Canary(key);
    canary.origin = await listen(canary.server);
    return canary;
  }

  /** `127.0.0.1:<port>`. */
  get host(): string {
    return this.origin.slice('http://'.length);
  }

  stop(): Promise<void> {
    return close(this.server);
  }
}

/** A JWKS endpoint that serves whatever text the test sets (odd shapes the kit cannot make). */
export class ScriptedJwks {
  body = '{"keys":[]}';
  requests = 0;
  url = '';
  private readonly server: Server;

  private constructor() {
    this.server = createServer((_req, res) => {
      this.requests++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(this.body);
    });
  }

  static async start(): Promise<ScriptedJwks> {
    const scripted = new ScriptedJwks();
    scripted.url = `${await listen(scripted.server)}/jwks.json`;
    return scripted;
  }

  stop(): Promise<void> {
    return close(this.server);
  }
}
