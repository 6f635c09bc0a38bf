import { Injectable, type INestApplication, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AuthModule, Clock, GroupsResolver, SigningKeySource, TokenService } from '@app/auth';
import { TestIssuer, b64u, rawJwt } from '@app/auth/testing';
import { AttackController, AUD, ISS } from './support/attack-app';
import { rawGet } from './support/attack-raw';
import { ManualClock } from './support/test-app';

/** Every line the app and the module log, at every level, with its parameters (stacks too). */
class SinkLogger implements LoggerService {
  readonly lines: string[] = [];
  readonly levels = new Set<string>();
  log(message: unknown, ...params: unknown[]) {
    this.record('log', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.record('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.record('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.record('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.record('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.record('fatal', message, params);
  }
  private record(level: string, message: unknown, params: unknown[]) {
    this.levels.add(level);
    this.lines.push([level, ...[message, ...params].map(text)].join(' '));
  }
}

function text(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}\n${value.stack ?? ''}`;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A resolver that fails, so the module's error log path runs too. */
@Injectable()
class FailingGroupsResolver extends GroupsResolver {
  async resolve(): Promise<string[]> {
    throw new Error('directory lookup failed');
  }
}

/**
 * Item 5 of the hardening issue (DESIGN V9): a representative flow — valid, invalid, malformed,
 * JWKS down, refresh and reuse — with a sink capturing every log line of every level and every
 * write to stdout/stderr; then no access token, refresh token, password or private key, nor any
 * 20-character slice of one, may appear anywhere in what was captured.
 */
describe('no secret in logs (V9)', () => {
  let issuer: TestIssuer;
  let down: TestIssuer;
  let app: INestApplication;
  let http: () => ReturnType<typeof request>;
  let url: string;
  const sink = new SinkLogger();
  const written: string[] = [];
  const restore: (() => void)[] = [];
  const clock = new ManualClock();
  /** Every secret the flow handled. */
  const secrets: string[] = [];
  /** Refresh tokens handled, also checked with their family id (`rt_<fid>.…`) left out, see below. */
  const refreshTokens: string[] = [];

  beforeAll(async () => {
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        written.push(
          typeof chunk === 'string' ? chunk : Buffer.from(chunk as Buffer).toString('utf8'),
        );
        return write(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => (stream.write = write as typeof stream.write));
    }
    [issuer, down] = await Promise.all([
      TestIssuer.start({ issuer: ISS, audience: AUD }),
      TestIssuer.start({ issuer: 'https://down.example/', audience: 'api://down', keyCount: 1 }),
    ]);
    down.setFault('status500');
    const moduleRef = await Test.createTestingModule({
      imports: [
        AuthModule.forRoot({
          issuer: ISS,
          audience: AUD,
          jwksUri: issuer.jwksUri,
          providers: [
            { name: 'down', issuer: down.issuer, audience: down.audience, jwksUri: down.jwksUri },
          ],
          issuing: { issuer: 'https://api.test', audience: 'api://payments' },
          validationCache: false,
          extraProviders: [{ provide: GroupsResolver, useClass: FailingGroupsResolver }],
        }),
      ],
      controllers: [AttackController],
    })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    app = moduleRef.createNestApplication({ logger: sink, bufferLogs: true });
    app.useLogger(sink);
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    http = () => request(url);
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([issuer?.stop(), down?.stop()]);
    for (const undo of restore) undo();
  });

  const bearer = (token: string, path = '/probe') => {
    secrets.push(token);
    return http().get(path).set('Authorization', `Bearer ${token}`);
  };

  it('runs the flow: valid, invalid, malformed, two credentials, JWKS down, 403, resolver failure', async () => {
    const k1 = issuer.key('k1');
    const payload = (extra: Record<string, unknown> = {}) => ({
      iss: ISS,
      aud: AUD,
      sub: 'alice',
      iat: Math.floor(clock.now() / 1000) - 60,
      exp: Math.floor(clock.now() / 1000) + 3600,
      scp: 'Data.Read',
      ...extra,
    });
    const v = issuer.mint(payload());
    expect((await bearer(v)).status).toBe(200);
    const [h, p, s] = v.split('.');
    const pem = k1.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    for (const bad of [
      `${h}.${p}.${s.slice(0, -4)}AAAA`,
      issuer.mint(payload({ exp: 1 })),
      rawJwt({ alg: 'none', kid: 'k1' }, payload(), 'none'),
      rawJwt({ alg: 'HS256', kid: 'k1' }, payload(), { hmacKey: pem, alg: 'HS256' }),
      `${h}.${b64u('{"sub":"a","sub":"b"}')}.${s}`,
      'a.b',
      `${h}.${p}.${s}.${s}.${s}`,
      issuer.mint(payload({ pad: 'x'.repeat(10_000) })),
      issuer.mint(payload(), { kid: 'unknown-kid', signWith: k1.privateKey }),
    ]) {
      expect((await bearer(bad)).status).toBe(401);
    }
    expect((await bearer(v, '/admin')).status).toBe(403);
    expect((await bearer(v, '/group')).status).toBe(403);
    secrets.push(issuer.mint(payload({ hasgroups: true })));
    expect((await bearer(secrets.at(-1)!, '/group')).status).toBe(503);
    expect(
      (await http().get(`/probe?access_token=${v}`).set('Authorization', `Bearer ${v}`)).status,
    ).toBe(400);
    expect(
      (await rawGet(url, '/probe', [`Authorization: Bearer ${v}`, `Authorization: Bearer ${v}`]))
        .status,
    ).toBe(400);
    expect((await rawGet(url, '/probe', [`Authorization: Bearer\t${v}`])).status).toBe(400);
    // JWKS down: 503, and the failure is logged (once).
    const downToken = down.mint({ scp: 'Data.Read' });
    const unavailable = await bearer(downToken);
    expect(unavailable.status).toBe(503);
    // A password sent where it does not belong.
    const password = 'correct-horse-battery-staple-42';
    secrets.push(password);
    expect(
      (await http().post('/probe').set('Authorization', `Bearer ${v}`).send({ password })).status,
    ).toBe(200);
  });

  it('runs the refresh flow: login, refresh, reuse (family revoked), confusion, revoke, credentials in bodies', async () => {
    const tokens = app.get(TokenService);
    const pair = await tokens.issue('bob', { scope: '' });
    secrets.push(pair.access_token);
    refreshTokens.push(pair.refresh_token);
    expect((await bearer(pair.access_token)).status).not.toBe(500);
    const refresh = (rt: string, extra: Record<string, string> = {}) =>
      http()
        .post('/auth/token')
        .type('form')
        .send({ grant_type: 'refresh_token', refresh_token: rt, ...extra });
    const first = await refresh(pair.refresh_token);
    expect(first.status).toBe(200);
    secrets.push(first.body.access_token);
    refreshTokens.push(first.body.refresh_token);
    clock.advance(60_000);
    expect((await refresh(pair.refresh_token)).status).toBe(400); // reuse: the family goes
    expect((await refresh(first.body.refresh_token)).status).toBe(400);
    expect((await refresh(pair.access_token)).status).toBe(400);
    // (Sent without `bearer()`, which would list it as an access token.)
    const rtAsBearer = await http()
      .get('/probe')
      .set('Authorization', `Bearer ${pair.refresh_token}`);
    expect(rtAsBearer.status).toBe(401);
    const password = 'Tr0ub4dor&3-client-secret';
    secrets.push(password);
    expect(
      (
        await refresh(`${pair.refresh_token}x`, {
          password,
          client_secret: password,
          client_id: 'c',
        })
      ).status,
    ).toBeGreaterThanOrEqual(400);
    const again = await tokens.issue('carol');
    secrets.push(again.access_token);
    refreshTokens.push(again.refresh_token);
    expect(
      (await http().post('/auth/revoke').type('form').send({ token: again.refresh_token })).status,
    ).toBe(200);
    expect((await refresh(again.refresh_token)).status).toBe(400);
  });

  it('nothing captured holds a token, a password, a private key, or a 20-character slice of one', async () => {
    // Private keys: the test IdP's, and the API's own signing keys, as PEM bodies and JWK members.
    const signing = await app.get(SigningKeySource).publishedKeys();
    for (const privateKey of [
      issuer.key('k1').privateKey,
      issuer.key('k2').privateKey,
      ...signing.map((k) => k.privateKey),
    ]) {
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      secrets.push(pem.replace(/-----[^-]+-----|\s/g, ''));
      const jwk = privateKey.export({ format: 'jwk' });
      for (const member of [jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi])
        if (member) secrets.push(member);
    }
    await new Promise((resolve) => setTimeout(resolve, 50)); // late writes
    const captured = [...sink.lines, ...written].join('\n');
    // Every level was on, and the module did log (debug events, warnings, the resolver error).
    expect([...sink.levels]).toEqual(expect.arrayContaining(['debug', 'warn', 'error']));
    expect(captured).toContain('jwks.fetch_failed');
    expect(captured).toContain('refresh.reuse_detected');
    const leaks = leakedSlices(captured, [...secrets, ...refreshTokens]);
    expect(leaks).toEqual([]);
    expect(secrets.length).toBeGreaterThan(20);
  });

  // Events name a family by a digest of its id (`familyRef`), never the `<fid>` of the token.
  it('no 20-character slice of a refresh token at all, its family id included', () => {
    expect(leakedSlices([...sink.lines, ...written].join('\n'), refreshTokens)).toEqual([]);
  });
});

/** The first 20-character slice of each secret found in `captured` (one per leaking secret). */
function leakedSlices(captured: string, secrets: string[]): string[] {
  const windows = new Set<string>();
  for (let i = 0; i + 20 <= captured.length; i++) windows.add(captured.slice(i, i + 20));
  const leaks: string[] = [];
  for (const secret of secrets) {
    for (let i = 0; i + 20 <= secret.length; i++) {
      if (windows.has(secret.slice(i, i + 20))) {
        leaks.push(secret.slice(i, i + 20));
        break;
      }
    }
  }
  return leaks;
}
