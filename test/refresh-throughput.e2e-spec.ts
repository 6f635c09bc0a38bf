import { Agent, request as httpRequest } from 'node:http';
import { AccessTokenService, RefreshGrantService } from '../libs/auth/src/issuing';
import { createRefreshApp } from './support/refresh-app';

/**
 * Measures, prints, asserts nothing about time (machines differ): refresh rotations per second on
 * the in-memory store, in-process and over HTTP, and the signing cost of one access token.
 */
describe('refresh throughput on the in-memory store (measured, not asserted)', () => {
  it('prints refreshes/second and signing cost per token', async () => {
    const t = await createRefreshApp();
    try {
      const grants = t.app.get(RefreshGrantService);
      const signer = t.app.get(AccessTokenService);
      const client = { authenticated: false };

      // Signing alone: one RS256 access token, sequential and 16 at a time.
      const N = 400;
      let started = process.hrtime.bigint();
      for (let i = 0; i < N; i++) {
        await signer.mint({ subject: 'alice', clientId: 'web', scope: 'a', sessionId: 'fid' });
      }
      const signSeqUs = Number(process.hrtime.bigint() - started) / 1e3 / N;
      started = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: N }, () =>
          signer.mint({ subject: 'alice', clientId: 'web', scope: 'a', sessionId: 'fid' }),
        ),
      );
      const signParUs = Number(process.hrtime.bigint() - started) / 1e3 / N;

      // In-process rotations: 16 families, each rotated in a chain.
      const chains = 16;
      const rounds = 40;
      let tokens = await Promise.all(
        Array.from(
          { length: chains },
          async (_, i) => (await t.tokens.issue(`user-${i}`)).refresh_token,
        ),
      );
      started = process.hrtime.bigint();
      for (let r = 0; r < rounds; r++) {
        tokens = await Promise.all(
          tokens.map(async (token) => {
            const params = new Map([
              ['grant_type', 'refresh_token'],
              ['refresh_token', token],
            ]);
            return (await grants.exchange({ params, client })).body.refresh_token;
          }),
        );
      }
      const inProcess = (chains * rounds) / (Number(process.hrtime.bigint() - started) / 1e9);

      // Over HTTP (keep-alive, 16 connections).
      const url = new URL(await t.app.getUrl());
      const agent = new Agent({ keepAlive: true, maxSockets: chains });
      const post = (token: string) =>
        new Promise<string>((resolve, reject) => {
          const body = `grant_type=refresh_token&refresh_token=${token}`;
          const req = httpRequest(
            {
              host: '127.0.0.1',
              port: url.port,
              path: '/auth/token',
              method: 'POST',
              agent,
              headers: {
                'content-type': 'application/x-www-form-urlencoded',
                'content-length': body.length,
              },
            },
            (res) => {
              let text = '';
              res.on('data', (c) => (text += c));
              res.on('end', () =>
                res.statusCode === 200
                  ? resolve(JSON.parse(text).refresh_token)
                  : reject(new Error(text)),
              );
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      tokens = await Promise.all(tokens.map(post));
      started = process.hrtime.bigint();
      for (let r = 0; r < rounds; r++) tokens = await Promise.all(tokens.map(post));
      const overHttp = (chains * rounds) / (Number(process.hrtime.bigint() - started) / 1e9);
      agent.destroy();

      console.log(
        [
          'refresh throughput (in-memory store, RS256, node:crypto signing):',
          `  signing one access token: ${signSeqUs.toFixed(0)} µs sequential, ${signParUs.toFixed(0)} µs/token at 400 in flight`,
          `  rotations in process: ${inProcess.toFixed(0)} /s (${chains} chains)`,
          `  rotations over HTTP (keep-alive): ${overHttp.toFixed(0)} /s (${chains} connections)`,
        ].join('\n'),
      );
      expect(tokens.every((tok) => tok.startsWith('rt_'))).toBe(true);
    } finally {
      await t.close();
    }
  }, 60_000);
});
