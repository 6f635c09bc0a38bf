import { AuthClient, type AuthClientOptions } from './auth-client';
import { ClaimsChallengeError, LoginRequiredError, TokenEndpointError } from './errors';
import { MemoryTokenStorage, type TokenSet } from './tokens';

const BASE = 'https://api.test/';
const INVALID =
  'Bearer realm="api", error="invalid_token", error_description="The access token is invalid"';

/**
 * A tiny token server behind a `fetch` function: `/auth/token` rotates refresh tokens, `/data`
 * accepts only the current access token. Unit-level only; the e2e suites use the real sample.
 */
class FakeServer {
  generation = 0;
  refreshes = 0;
  calls: { url: string; method: string; auth: string | null; body: string | null }[] = [];
  refreshAnswer: 'ok' | 'invalid_grant' | 'unavailable' | 'network' | 'garbage' = 'ok';
  claimsChallenge = false;
  refreshDelayMs = 5;
  expiresIn = 900;

  /** The one access token `/data` accepts: the last one issued, until `invalidate()`. */
  valid = '';

  get access(): string {
    return `at-${this.generation}`;
  }
  get refresh(): string {
    return `rt-${this.generation}`;
  }

  /** The server stops accepting the access token the client holds (as an expiry on its clock would). */
  invalidate(): void {
    this.valid = 'none';
  }

  tokenResponse() {
    this.valid = this.access;
    return {
      access_token: this.access,
      token_type: 'Bearer',
      expires_in: this.expiresIn,
      refresh_token: this.refresh,
      scope: 'Payments.Read',
    };
  }

  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.method === 'GET' ? null : await request.text();
    this.calls.push({
      url: url.pathname,
      method: request.method,
      auth: request.headers.get('authorization'),
      body,
    });
    if (url.pathname === '/auth/token') return this.token(new URLSearchParams(body ?? ''));
    if (url.pathname === '/auth/revoke') return new Response(null, { status: 200 });
    if (url.pathname === '/auth/login') return json(200, this.tokenResponse());
    if (this.claimsChallenge) {
      const claims = Buffer.from('{"access_token":{"nbf":{"essential":true,"value":"42"}}}');
      return new Response(null, {
        status: 401,
        headers: {
          'WWW-Authenticate': `Bearer realm="api", error="insufficient_claims", error_description="The access token was revoked", claims="${claims.toString('base64')}"`,
        },
      });
    }
    if (request.headers.get('authorization') !== `Bearer ${this.valid}`) {
      return new Response('{}', { status: 401, headers: { 'WWW-Authenticate': INVALID } });
    }
    return json(200, { ok: true, body });
  };

  private async token(form: URLSearchParams): Promise<Response> {
    this.refreshes++;
    await new Promise((resolve) => setTimeout(resolve, this.refreshDelayMs));
    if (this.refreshAnswer === 'network') throw new TypeError('fetch failed');
    if (this.refreshAnswer === 'unavailable') {
      return new Response('{}', { status: 503, headers: { 'Retry-After': '5' } });
    }
    if (this.refreshAnswer === 'garbage') return new Response('<html>', { status: 200 });
    if (this.refreshAnswer === 'invalid_grant' || form.get('refresh_token') !== this.refresh) {
      return json(400, { error: 'invalid_grant', error_description: 'refresh token is invalid' });
    }
    this.generation++;
    return json(200, this.tokenResponse());
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function setup(options: AuthClientOptions = {}) {
  const server = new FakeServer();
  let now = 1_000_000;
  const clock = {
    now: () => now,
    advance: (seconds: number) => {
      now += seconds * 1000;
    },
  };
  const onLoginRequired = jest.fn();
  const client = new AuthClient({
    baseUrl: BASE,
    fetch: server.fetch,
    now: clock.now,
    onLoginRequired,
    ...options,
  });
  return { server, client, clock, onLoginRequired };
}

/** Logs in, then the server stops accepting the access token the client holds. */
async function loggedInWithStaleToken(options?: AuthClientOptions) {
  const context = setup(options);
  await context.client.login('auth/login', { username: 'alice', password: 'pw' });
  context.server.invalidate();
  return context;
}

describe('AuthClient', () => {
  it('attaches the access token and resolves relative paths against baseUrl', async () => {
    const { server, client } = setup();
    await client.login('auth/login', { username: 'alice', password: 'pw' });
    const response = await client.fetch('data');
    expect(response.status).toBe(200);
    expect(server.calls.at(-1)).toMatchObject({ url: '/data', auth: 'Bearer at-0' });
  });

  it('replaces an Authorization header of the caller and keeps its other headers', async () => {
    const { server, client } = setup();
    await client.login('auth/login', {});
    await client.fetch('data', { headers: { Authorization: 'Bearer mine', 'X-Trace': '1' } });
    expect(server.calls.at(-1)?.auth).toBe('Bearer at-0');
  });

  it('refuses to send the token to another origin', async () => {
    const { client } = setup();
    await client.login('auth/login', {});
    await expect(client.fetch('https://evil.test/data')).rejects.toThrow(TypeError);
  });

  it('throws LoginRequiredError (no_tokens) before any login', async () => {
    const { client, onLoginRequired } = setup();
    const error = await client.fetch('data').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoginRequiredError);
    expect((error as LoginRequiredError).reason).toBe('no_tokens');
    expect(onLoginRequired).toHaveBeenCalledTimes(1);
  });

  describe('renewing ahead of expiry', () => {
    it('renews inside the margin before expires_in runs out, without a 401', async () => {
      const { server, client, clock } = setup({ renewMarginSeconds: 60 });
      await client.login('auth/login', {});
      clock.advance(900 - 61);
      await client.fetch('data');
      expect(server.refreshes).toBe(0);
      clock.advance(2);
      const response = await client.fetch('data');
      expect(response.status).toBe(200);
      expect(server.refreshes).toBe(1);
      expect(server.calls.filter((c) => c.auth !== null).map((c) => c.auth)).toEqual([
        'Bearer at-0',
        'Bearer at-1',
      ]);
    });

    it('caps the margin at half the lifetime of short tokens', async () => {
      const { server, client, clock } = setup({ renewMarginSeconds: 60 });
      server.expiresIn = 20;
      await client.login('auth/login', {});
      clock.advance(9);
      await client.fetch('data');
      expect(server.refreshes).toBe(0);
      clock.advance(1);
      await client.fetch('data');
      expect(server.refreshes).toBe(1);
    });

    it('shares one renewal between concurrent calls', async () => {
      const { server, client, clock } = setup();
      await client.login('auth/login', {});
      clock.advance(900);
      const responses = await Promise.all(Array.from({ length: 10 }, () => client.fetch('data')));
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(server.refreshes).toBe(1);
    });

    it('keeps using a still valid token when an early renewal fails for a temporary reason', async () => {
      const { server, client, clock } = setup();
      await client.login('auth/login', {});
      clock.advance(880);
      server.refreshAnswer = 'unavailable';
      const response = await client.fetch('data');
      expect(response.status).toBe(200);
      expect(server.calls.at(-1)?.auth).toBe('Bearer at-0');
    });

    it('fails with TokenEndpointError when the token expired and the endpoint is down', async () => {
      const { server, client, clock } = setup();
      await client.login('auth/login', {});
      clock.advance(901);
      server.refreshAnswer = 'unavailable';
      const error = await client.fetch('data').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TokenEndpointError);
      expect(error).toMatchObject({ status: 503, retryAfter: 5 });
      expect(await client.getTokens()).toBeDefined(); // kept: the outage is temporary
    });
  });

  describe('on 401 invalid_token', () => {
    it('refreshes once and replays the request once, with its body', async () => {
      const { server, client } = await loggedInWithStaleToken();
      const response = await client.fetch('data', { method: 'POST', body: 'payload' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true, body: 'payload' });
      expect(server.refreshes).toBe(1);
      const dataCalls = server.calls.filter((c) => c.url === '/data');
      expect(dataCalls.map((c) => c.body)).toEqual(['payload', 'payload']);
    });

    it('replays a Request object with its body', async () => {
      const { client } = await loggedInWithStaleToken();
      const response = await client.fetch(
        new Request(`${BASE}data`, { method: 'PUT', body: 'from a Request' }),
      );
      expect(await response.json()).toEqual({ ok: true, body: 'from a Request' });
    });

    it('shares one refresh between 20 concurrent calls', async () => {
      const { server, client } = await loggedInWithStaleToken();
      const responses = await Promise.all(Array.from({ length: 20 }, () => client.fetch('data')));
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(server.refreshes).toBe(1);
    });

    it('does not refresh again when a call comes back after another call already refreshed', async () => {
      const { server, client } = await loggedInWithStaleToken();
      server.refreshDelayMs = 0;
      await client.fetch('data');
      // A late 401 for the old token (from before the refresh) replays with the new token.
      const internal = client as unknown as { renewAfterRejection(t: string): Promise<TokenSet> };
      const renewed = await internal.renewAfterRejection('at-0');
      expect(renewed.accessToken).toBe('at-1');
      expect(server.refreshes).toBe(1);
    });

    it('returns the second 401 as it is instead of looping', async () => {
      const { server, client } = await loggedInWithStaleToken();
      const issue = server.tokenResponse.bind(server);
      server.tokenResponse = () => {
        const response = issue();
        server.valid = 'never-matches';
        return response;
      };
      const response = await client.fetch('data');
      expect(response.status).toBe(401);
      expect(server.refreshes).toBe(1);
      expect(server.calls.filter((c) => c.url === '/data')).toHaveLength(2);
    });

    it('does not replay a streamed body', async () => {
      const { server, client } = await loggedInWithStaleToken();
      const body = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('once'));
          controller.close();
        },
      });
      const response = await client.fetch('data', {
        method: 'POST',
        body,
        duplex: 'half',
      } as RequestInit);
      expect(response.status).toBe(401);
      expect(server.refreshes).toBe(0);
    });

    it('reports "log in again" once when the refresh is refused, and clears the tokens', async () => {
      const { server, client, onLoginRequired } = await loggedInWithStaleToken();
      server.refreshAnswer = 'invalid_grant';
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => client.fetch('data')),
      );
      for (const result of results) {
        expect(result.status).toBe('rejected');
        const error = (result as PromiseRejectedResult).reason as LoginRequiredError;
        expect(error).toBeInstanceOf(LoginRequiredError);
        expect(error).toMatchObject({
          reason: 'refresh_rejected',
          oauthError: 'invalid_grant',
          status: 400,
        });
        expect(error.message).toMatch(/^Log in again/);
      }
      expect(server.refreshes).toBe(1);
      expect(onLoginRequired).toHaveBeenCalledTimes(1);
      expect(await client.getTokens()).toBeUndefined();
    });

    it('a 401 that arrives after the refresh failed gets the same error, reported once', async () => {
      const { server, client, onLoginRequired } = await loggedInWithStaleToken();
      server.refreshAnswer = 'invalid_grant';
      const first = await client.fetch('data').catch((e: unknown) => e);
      const internal = client as unknown as { renewAfterRejection(t: string): Promise<TokenSet> };
      const late = await internal.renewAfterRejection('at-0').catch((e: unknown) => e);
      expect(late).toBe(first);
      expect(onLoginRequired).toHaveBeenCalledTimes(1);
      expect(server.refreshes).toBe(1);
    });

    it.each([
      ['network', undefined],
      ['unavailable', 503],
      ['garbage', 200],
    ] as const)(
      'a %s refresh failure is a TokenEndpointError and keeps the tokens',
      async (answer, status) => {
        const { server, client, onLoginRequired } = await loggedInWithStaleToken();
        server.refreshAnswer = answer;
        const error = await client.fetch('data').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TokenEndpointError);
        expect((error as TokenEndpointError).status).toBe(status);
        expect(onLoginRequired).not.toHaveBeenCalled();
        expect(await client.getTokens()).toBeDefined();
      },
    );
  });

  it('surfaces an insufficient_claims challenge with the decoded claims (E5)', async () => {
    const onClaimsChallenge = jest.fn();
    const { server, client } = setup({ onClaimsChallenge });
    await client.login('auth/login', {});
    server.claimsChallenge = true;
    const error = (await client.fetch('data').catch((e: unknown) => e)) as ClaimsChallengeError;
    expect(error).toBeInstanceOf(ClaimsChallengeError);
    expect(error.claims).toEqual({ access_token: { nbf: { essential: true, value: '42' } } });
    expect(error.notBefore).toBe(42);
    expect(error.status).toBe(401);
    expect(error.challenge.params.error_description).toBe('The access token was revoked');
    expect(Buffer.from(error.claimsParameter, 'base64').toString()).toContain('"nbf"');
    expect(onClaimsChallenge).toHaveBeenCalledWith(error);
    expect(server.refreshes).toBe(0);
  });

  it('returns a 403 and other statuses as they are', async () => {
    const { client } = setup({
      fetch: async () => new Response('{}', { status: 403 }),
    });
    await client.setTokens({ access_token: 'x', token_type: 'Bearer', expires_in: 900 });
    expect((await client.fetch('data')).status).toBe(403);
  });

  it('needs a refresh token to renew: an expired token without one asks to log in again', async () => {
    const { client, clock } = setup();
    await client.setTokens({ access_token: 'x', token_type: 'Bearer', expires_in: 60 });
    clock.advance(61);
    const error = (await client.fetch('data').catch((e: unknown) => e)) as LoginRequiredError;
    expect(error.reason).toBe('no_refresh_token');
  });

  it('refreshes without a refresh token in cookie mode, sending credentials', async () => {
    const seen: RequestInit[] = [];
    const client = new AuthClient({
      baseUrl: BASE,
      tokenRequestCredentials: 'include',
      fetch: async (_input, init) => {
        seen.push(init ?? {});
        return json(200, { access_token: 'new', token_type: 'Bearer', expires_in: 900 });
      },
    });
    const tokens = await client.refresh();
    expect(tokens.accessToken).toBe('new');
    expect(seen[0].credentials).toBe('include');
    expect(String(seen[0].body)).toBe('grant_type=refresh_token');
  });

  it('sends client_id with refreshes and revocations, and logout forgets the tokens', async () => {
    const { server, client } = setup({ clientId: 'web' });
    await client.login('auth/login', {});
    await client.refresh();
    await client.logout();
    const token = server.calls.find((c) => c.url === '/auth/token');
    const revoke = server.calls.find((c) => c.url === '/auth/revoke');
    expect(new URLSearchParams(token!.body!).get('client_id')).toBe('web');
    expect(Object.fromEntries(new URLSearchParams(revoke!.body!))).toEqual({
      token: 'rt-1',
      token_type_hint: 'refresh_token',
      client_id: 'web',
    });
    expect(await client.getTokens()).toBeUndefined();
  });

  it('keeps the refresh token when a refresh response has none (RFC 6749 §6)', async () => {
    let answer = 0;
    const client = new AuthClient({
      baseUrl: BASE,
      fetch: async () =>
        json(200, { access_token: `a${++answer}`, token_type: 'Bearer', expires_in: 900 }),
    });
    await client.setTokens({ access_token: 'a0', token_type: 'Bearer', refresh_token: 'keep' });
    expect((await client.refresh()).refreshToken).toBe('keep');
  });

  it('reports a refused login with its status', async () => {
    const client = new AuthClient({
      baseUrl: BASE,
      fetch: async () =>
        new Response('{"message":"Invalid username or password"}', { status: 401 }),
    });
    await expect(client.login('auth/login', {})).rejects.toMatchObject({
      name: 'TokenEndpointError',
      status: 401,
    });
  });

  it('works with an asynchronous storage', async () => {
    const memory = new MemoryTokenStorage();
    const storage = {
      get: async () => memory.get(),
      set: async (t: TokenSet) => memory.set(t),
      clear: async () => memory.clear(),
    };
    const { server, client } = await loggedInWithStaleToken({ storage });
    const responses = await Promise.all(Array.from({ length: 5 }, () => client.fetch('data')));
    expect(responses.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect(server.refreshes).toBe(1);
  });

  it('checks its options', () => {
    expect(() => new AuthClient({ baseUrl: 'not a url' })).toThrow(TypeError);
    expect(() => new AuthClient({ renewMarginSeconds: -1 })).toThrow(TypeError);
  });
});
