// libs/auth-client against the running sample over real HTTP: token attached, renewal ahead of
// expiry, one shared refresh for 20 concurrent calls across an expiry (counted on the server),
// "log in again" after a failed refresh, and the CAE claims challenge after logout-all.
import {
  AuthClient,
  ClaimsChallengeError,
  LoginRequiredError,
  type AuthClientOptions,
  type FetchFunction,
} from '@app/auth-client';
import { DEMO_PASSWORD, type RunningSample, startSample } from './support/sample-app';

interface Traffic {
  readonly fetch: FetchFunction;
  /** `METHOD path → status` of every response the client received. */
  readonly log: string[];
}

/** The global fetch, recording what the client sent and got. */
function recordingFetch(): Traffic {
  const log: string[] = [];
  return {
    log,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      const url = new URL(input instanceof Request ? input.url : String(input));
      log.push(`${init?.method ?? 'GET'} ${url.pathname} → ${response.status}`);
      return response;
    },
  };
}

const ACCESS_TTL_MS = 900 * 1000;

describe('AuthClient against the sample', () => {
  let sample: RunningSample;

  beforeAll(async () => {
    sample = await startSample({ LOGIN_RATE_LIMIT: '1000' });
  });
  afterAll(() => sample.close());

  function client(options: AuthClientOptions = {}) {
    const traffic = recordingFetch();
    const onLoginRequired = jest.fn();
    const instance = new AuthClient({
      baseUrl: `${sample.url}/`,
      clientId: 'payments-sample',
      fetch: traffic.fetch,
      now: () => sample.clock.now(),
      onLoginRequired,
      ...options,
    });
    return { client: instance, traffic, onLoginRequired };
  }

  const rotations = () => sample.events.count('refresh.rotated');

  it('logs in and calls with the access token', async () => {
    const { client: api } = client();
    const tokens = await api.login('auth/login', { username: 'alice', password: DEMO_PASSWORD });
    expect(tokens).toMatchObject({ tokenType: 'Bearer', scope: 'Payments.Read Payments.Write' });
    expect(tokens.refreshToken).toMatch(/^rt_/);
    const response = await api.fetch('payments');
    expect(response.status).toBe(200);
    const me = (await (await api.fetch('me')).json()) as { subject: string };
    expect(me.subject).toBe('alice');
  });

  it('a refused login is a TokenEndpointError with the status', async () => {
    const { client: api } = client();
    await expect(
      api.login('auth/login', { username: 'alice', password: 'nope' }),
    ).rejects.toMatchObject({ name: 'TokenEndpointError', status: 401 });
  });

  it('renews ahead of expiry: 20 concurrent calls across the expiry, one refresh, no 401', async () => {
    const { client: api, traffic } = client({ renewMarginSeconds: 60 });
    await api.login('auth/login', { username: 'alice', password: DEMO_PASSWORD });
    const before = rotations();
    sample.clock.advance(ACCESS_TTL_MS - 30_000); // inside the 60 s margin

    const responses = await Promise.all(Array.from({ length: 20 }, () => api.fetch('payments')));

    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(rotations() - before).toBe(1);
    expect(traffic.log.filter((line) => line.startsWith('POST /auth/token'))).toEqual([
      'POST /auth/token → 200',
    ]);
    expect(traffic.log.filter((line) => line.endsWith('→ 401'))).toEqual([]);
  });

  it('on 401 invalid_token: 20 concurrent calls share one refresh and are each replayed once', async () => {
    // The client's clock stands still while the server's passes the expiry: every call meets a
    // 401 invalid_token (the case renewing ahead cannot catch — e.g. a clock skew).
    const frozen = sample.clock.now();
    const { client: api, traffic } = client({ now: () => frozen });
    await api.login('auth/login', { username: 'bob', password: DEMO_PASSWORD });
    const before = rotations();
    sample.clock.advance(ACCESS_TTL_MS + 61_000);

    const responses = await Promise.all(Array.from({ length: 20 }, () => api.fetch('payments')));

    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(rotations() - before).toBe(1);
    const calls = traffic.log.filter((line) => line.startsWith('GET /payments'));
    expect(calls.filter((line) => line.endsWith('→ 401'))).toHaveLength(20);
    expect(calls.filter((line) => line.endsWith('→ 200'))).toHaveLength(20);
    expect(traffic.log.filter((line) => line.startsWith('POST /auth/token'))).toHaveLength(1);
  });

  it('reports "log in again" once when the refresh token was revoked', async () => {
    const { client: api, onLoginRequired } = client();
    const tokens = await api.login('auth/login', { username: 'bob', password: DEMO_PASSWORD });
    await fetch(`${sample.url}/auth/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refreshToken! }),
    });
    // The family's access token is refused too (sid); the refresh that follows is refused.
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => api.fetch('payments')),
    );
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(LoginRequiredError);
      expect(error).toMatchObject({
        reason: 'refresh_rejected',
        oauthError: 'invalid_grant',
        status: 400,
      });
    }
    expect(onLoginRequired).toHaveBeenCalledTimes(1);
    expect(await api.getTokens()).toBeUndefined();
  });

  it('surfaces the CAE claims challenge (E5) after logout-all from another session', async () => {
    const { client: phone } = client();
    const { client: laptop } = client();
    await phone.login('auth/login', { username: 'carol', password: DEMO_PASSWORD });
    await laptop.login('auth/login', { username: 'carol', password: DEMO_PASSWORD });
    sample.clock.advance(1000);
    const logoutAll = await laptop.fetch('auth/logout-all', { method: 'POST' });
    expect(logoutAll.status).toBe(204);
    const logoutAt = sample.clock.nowSeconds();

    const error = (await phone.fetch('payments').catch((e: unknown) => e)) as ClaimsChallengeError;
    expect(error).toBeInstanceOf(ClaimsChallengeError);
    expect(error.status).toBe(401);
    expect(error.claims).toEqual({
      access_token: { nbf: { essential: true, value: String(error.notBefore) } },
    });
    expect(error.notBefore).toBe(logoutAt + 1);
    expect(error.challenge.params).toMatchObject({
      realm: 'api',
      error: 'insufficient_claims',
      error_description: 'The access token was revoked',
    });
  });

  it('logout revokes the refresh token at the server and forgets the tokens', async () => {
    const traffic = recordingFetch();
    const api = new AuthClient({ baseUrl: `${sample.url}/`, fetch: traffic.fetch });
    const tokens = await api.login('auth/login', { username: 'alice', password: DEMO_PASSWORD });
    await api.logout();
    expect(traffic.log).toContain('POST /auth/revoke → 200');
    expect(await api.getTokens()).toBeUndefined();
    const refreshed = await fetch(`${sample.url}/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refreshToken!,
      }),
    });
    expect(refreshed.status).toBe(400);
  });
});
