/**
 * A bench app in its own process: `node dist/bench/server.js <variant> <cooldown> [redisUrl]`.
 * Validation variants run a TestIssuer (the JWKS on loopback) beside the Nest app; rotation
 * variants issue their own tokens. Answers the runner's commands over IPC: minting tokens,
 * publishing a key, reporting JWKS fetches and CPU time, timing signatures.
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { randomBytes, randomUUID, sign, verify } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { RefreshGrantService, TokenService } from '@app/auth';
import { TestIssuer } from '@app/auth/testing';
import { AuthBenchModule } from './apps/auth-bench.module';
import { IssuingBenchModule } from './apps/issuing-bench.module';
import { RecipeBenchModule } from './apps/recipe-bench.module';
import type {
  Command,
  InProcessGrants,
  Ready,
  Reply,
  Request,
  SignatureCost,
  Variant,
} from './ipc';

const variant = process.argv[2] as Variant;
const cooldown = Number(process.argv[3] ?? 30);
const redisUrl = variant === 'rotation-redis' ? process.argv[4] : undefined;
const keyPrefix = `bench-${randomBytes(6).toString('hex')}:`;

let issuer: TestIssuer | undefined;
let app: INestApplication;
let preparedKid: string | undefined;

async function main(): Promise<void> {
  if (variant.startsWith('rotation-')) {
    app = await NestFactory.create(IssuingBenchModule.register({ redisUrl, keyPrefix }), {
      logger: false,
    });
  } else {
    issuer = await TestIssuer.start({ keyCount: 2 });
    const settings = { issuer: issuer.issuer, audience: issuer.audience, jwksUri: issuer.jwksUri };
    const module =
      variant === 'recipe'
        ? RecipeBenchModule.register(settings)
        : AuthBenchModule.register({ ...settings, cache: variant === 'cached', cooldown });
    app = await NestFactory.create(module, { logger: false });
  }
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.on('message', (message: Request) => {
    void answer(message);
  });
  const ready: Ready = { type: 'ready', port, issuer: issuer?.issuer, audience: issuer?.audience };
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
      return Array.from({ length: command.count }, (_, i) => testIssuer().mint(claimsOf(i)));
    case 'prepareKey': {
      // Generated now, published later: key generation is no part of "time to accept".
      testIssuer().addKey({ kid: command.kid, publish: false });
      preparedKid = command.kid;
      return testIssuer().mint(claimsOf(0), { kid: command.kid });
    }
    case 'publishPrepared':
      testIssuer().setExtraJwks([testIssuer().key(preparedKid!).publicJwk]);
      return true;
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      return user + system;
    }
    case 'fetchCount':
      return testIssuer().fetchCount;
    case 'resetFetchCount':
      testIssuer().resetFetchCount();
      return true;
    case 'signatures':
      return signatureCost(command.ms);
    case 'refreshTokens': {
      // One session (refresh family) per chain, each for its own subject.
      const tokens = app.get(TokenService);
      const issued = await Promise.all(
        Array.from({ length: command.count }, (_, i) =>
          tokens.issue(`bench-user-${i}`, { scope: 'Data.Read' }),
        ),
      );
      return issued.map((pair) => pair.refresh_token);
    }
    case 'grants':
      return inProcessGrants(command.chains, command.ms);
    case 'stop':
      await app.close();
      await issuer?.stop();
      if (redisUrl) await removeKeys(redisUrl);
      return true;
  }
}

function testIssuer(): TestIssuer {
  if (!issuer) throw new Error(`the "${variant}" bench app has no TestIssuer`);
  return issuer;
}

/** Leaves the shared Redis as it was: deletes every key this run's prefix names. */
async function removeKeys(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
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
  const { privateKey, publicKey } = testIssuer().key('k1');
  const input = Buffer.from(testIssuer().mint(claimsOf(0)).split('.').slice(0, 2).join('.'));
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

/**
 * Rotations through `RefreshGrantService.exchange` — what `POST /auth/token` runs once it has
 * read the body: the store's rotation, the sealed successor, the access token's signature, the
 * events. `chains` sessions rotate concurrently, each presenting its previous answer's token.
 */
async function inProcessGrants(chains: number, ms: number): Promise<InProcessGrants> {
  const grants = app.get(RefreshGrantService);
  const pairs = await Promise.all(
    Array.from({ length: chains }, (_, i) =>
      app.get(TokenService).issue(`grant-user-${i}`, { scope: 'Data.Read' }),
    ),
  );
  // Each chain's newest token, carried from the warm-up into the measured run.
  const tokens = pairs.map((pair) => pair.refresh_token);
  let rotations = 0;
  let failures = 0;
  let firstError: string | undefined;
  const rotateFor = (until: number, counted: boolean) =>
    Promise.all(
      tokens.map(async (_, chain) => {
        while (Date.now() < until) {
          const params = new Map([
            ['grant_type', 'refresh_token'],
            ['refresh_token', tokens[chain]],
          ]);
          try {
            const next = await grants.exchange({ params, client: { authenticated: false } });
            tokens[chain] = next.body.refresh_token;
            if (counted) rotations++;
          } catch (error) {
            failures++;
            firstError ??= JSON.stringify(
              (error as { getResponse?: () => unknown }).getResponse?.() ?? String(error),
            );
            return;
          }
        }
      }),
    );
  await rotateFor(Date.now() + Math.min(500, ms / 4), false);
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await rotateFor(Date.now() + ms, true);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    rotationsPerSecond: rotations / seconds,
    cpuMicros: (cpu.user + cpu.system) / (rotations || 1),
    failures,
    firstError,
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
