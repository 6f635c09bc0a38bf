/**
 * A bench app in its own process: `node dist/bench/server.js <variant> <cooldownSeconds>`.
 * Runs a TestIssuer (the JWKS on loopback) and one Nest app, then answers the runner's commands
 * over IPC: minting tokens, publishing a key, reporting JWKS fetches, timing signatures.
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID, sign, verify } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { TestIssuer } from '@app/auth/testing';
import { AuthBenchModule } from './apps/auth-bench.module';
import { RecipeBenchModule } from './apps/recipe-bench.module';
import type { Command, Ready, Reply, Request, SignatureCost, Variant } from './ipc';

const variant = process.argv[2] as Variant;
const cooldown = Number(process.argv[3] ?? 30);

let issuer: TestIssuer;
let app: INestApplication;
let preparedKid: string | undefined;

async function main(): Promise<void> {
  issuer = await TestIssuer.start({ keyCount: 2 });
  const settings = { issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri };
  const module =
    variant === 'recipe'
      ? RecipeBenchModule.register(settings)
      : AuthBenchModule.register({ ...settings, cache: variant === 'cached', cooldown });
  app = await NestFactory.create(module, { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.on('message', (message: Request) => {
    void answer(message);
  });
  const ready: Ready = { type: 'ready', port, issuer: issuer.issuer, audience: issuer.audience };
  process.send!(ready);
}

async function answer({ id, command }: Request): Promise<void> {
  let reply: Reply;
  try {
    reply = { id, result: await run(command) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) };
  }
  process.send!(reply);
  if (command.cmd === 'stop') process.disconnect();
}

async function run(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'mint':
      return Array.from({ length: command.count }, (_, i) => issuer.mint(claimsOf(i)));
    case 'prepareKey': {
      // Generated now, published later: key generation is no part of "time to accept".
      issuer.addKey({ kid: command.kid, publish: false });
      preparedKid = command.kid;
      return issuer.mint(claimsOf(0), { kid: command.kid });
    }
    case 'publishPrepared':
      issuer.setExtraJwks([issuer.key(preparedKid!).publicJwk]);
      return true;
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      return user + system;
    }
    case 'fetchCount':
      return issuer.fetchCount;
    case 'resetFetchCount':
      issuer.resetFetchCount();
      return true;
    case 'signatures':
      return signatureCost(command.ms);
    case 'refreshTokens':
      throw new Error('refresh tokens are not available in this bench app');
    case 'stop':
      await app.close();
      await issuer.stop();
      return true;
  }
}

/** Claims of a typical delegated access token. */
function claimsOf(i: number): Record<string, unknown> {
  return {
    sub: `user-${i}`,
    oid: randomUUID(),
    tid: randomUUID(),
    azp: randomUUID(),
    scp: 'Data.Read Data.Write',
    name: `Bench User ${i}`,
  };
}

/** RS256 over a token-sized input with `crypto.sign` on a `KeyObject`: the floor of issuing. */
function signatureCost(ms: number): SignatureCost {
  const { privateKey, publicKey } = issuer.key('k1');
  const input = Buffer.from(issuer.mint(claimsOf(0)).split('.').slice(0, 2).join('.'));
  const signature = sign('sha256', input, privateKey);
  const signs = timeLoop(ms, () => sign('sha256', input, privateKey));
  const verifies = timeLoop(ms, () => verify('sha256', input, publicKey, signature));
  return {
    signaturesPerSecond: signs,
    microsPerSignature: 1e6 / signs,
    verificationsPerSecond: verifies,
    microsPerVerification: 1e6 / verifies,
  };
}

/** Calls `fn` for about `ms` milliseconds; returns calls per second. */
function timeLoop(ms: number, fn: () => unknown): number {
  for (let i = 0; i < 50; i++) fn(); // warm-up
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let count = 0;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 20; i++) fn();
    count += 20;
    now = process.hrtime.bigint();
  }
  return count / (Number(now - start) / 1e9);
}

process.on('disconnect', () => process.exit(0));
main().catch((error: unknown) => {
  console.error(`bench app "${variant}" failed to start:`, error);
  process.exit(1);
});
