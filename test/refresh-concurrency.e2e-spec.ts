import { Injectable } from '@nestjs/common';
import { TemporarilyUnavailableError } from '@app/auth';
import { TokenService } from '../libs/auth/src/issuing';
import { InMemoryRefreshTokenStore, RefreshTokenStore } from '../libs/auth/src/stores';
import type { RotateInput, RotateResult } from '../libs/auth/src/stores';
import { createRefreshApp, expectInvalidGrant, RefreshApp } from './support/refresh-app';

/** Counts the current (unconsumed) tokens of a family in the in-memory store. */
function currentTokens(t: RefreshApp, familyId: string): number {
  const store = t.app.get(RefreshTokenStore) as unknown as {
    families: Map<string, { tokens: Map<string, { state: string }> }>;
  };
  const record = store.families.get(familyId);
  return record ? [...record.tokens.values()].filter((tok) => tok.state === 'current').length : 0;
}

describe('atomic rotation under concurrency (RT14, RT15)', () => {
  it('RT15: 50 concurrent refreshes with one token and grace > 0: every answer is 200 with the same refresh token', async () => {
    const t = await createRefreshApp();
    try {
      const { refresh_token } = await t.tokens.issue('alice');
      const results = await Promise.all(Array.from({ length: 50 }, () => t.refresh(refresh_token)));
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
      const successors = new Set(results.map((r) => r.body.refresh_token));
      expect(successors.size).toBe(1);
      expect(new Set(results.map((r) => r.body.access_token)).size).toBe(50);
      expect(currentTokens(t, refresh_token.slice(3, 25))).toBe(1);
      expect((await t.refresh([...successors][0])).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('RT15: 50 concurrent refreshes with grace = 0: exactly one 200 and the family revoked', async () => {
    const t = await createRefreshApp({ graceSeconds: 0 });
    try {
      const { refresh_token } = await t.tokens.issue('alice');
      const results = await Promise.all(Array.from({ length: 50 }, () => t.refresh(refresh_token)));
      const ok = results.filter((r) => r.status === 200);
      expect(ok).toHaveLength(1);
      for (const r of results.filter((x) => x.status !== 200)) expectInvalidGrant(r);
      expect(t.events.names()).toContain('refresh.reuse_detected');
      expectInvalidGrant(await t.refresh(ok[0].body.refresh_token));
      expect((await t.probe(ok[0].body.access_token)).status).toBe(401);
      expect(currentTokens(t, refresh_token.slice(3, 25))).toBeLessThanOrEqual(1);
    } finally {
      await t.close();
    }
  });

  it('RT14: the in-memory rotate is atomic: the family never has two current tokens', async () => {
    const t = await createRefreshApp();
    try {
      let token = (await t.tokens.issue('alice')).refresh_token;
      for (let round = 0; round < 5; round++) {
        const results = await Promise.all(Array.from({ length: 20 }, () => t.refresh(token)));
        expect(new Set(results.map((r) => r.body.refresh_token)).size).toBe(1);
        expect(currentTokens(t, token.slice(3, 25))).toBe(1);
        token = results[0].body.refresh_token;
      }
    } finally {
      await t.close();
    }
  });
});

/** A store that is down: every call rejects. */
@Injectable()
class DownStore extends InMemoryRefreshTokenStore {
  down = false;
  hang = false;
  override async rotate(input: RotateInput): Promise<RotateResult> {
    if (this.hang) return new Promise(() => undefined);
    if (this.down) throw new Error('ECONNREFUSED 10.0.0.1:6379 secret-looking-detail');
    return super.rotate(input);
  }
  override async listFamilies(...args: Parameters<InMemoryRefreshTokenStore['listFamilies']>) {
    if (this.down) throw new Error('ECONNREFUSED');
    return super.listFamilies(...args);
  }
  override async createFamily(...args: Parameters<InMemoryRefreshTokenStore['createFamily']>) {
    if (this.down) throw new Error('ECONNREFUSED');
    return super.createFamily(...args);
  }
}

describe('store failures and restarts (RT18, E7)', () => {
  it('RT18: a failing store answers 503 with Retry-After, issues nothing and changes nothing', async () => {
    const t = await createRefreshApp(
      {},
      { providers: [{ provide: RefreshTokenStore, useClass: DownStore }] },
    );
    try {
      const store = t.app.get(RefreshTokenStore) as DownStore;
      const { refresh_token } = await t.tokens.issue('alice');
      store.down = true;
      const res = await t.refresh(refresh_token);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'try again later',
      });
      expect(res.text).not.toContain('ECONNREFUSED');
      expect(res.text).not.toContain('rt_');
      await expect(t.tokens.issue('alice')).rejects.toBeInstanceOf(TemporarilyUnavailableError);
      const { access_token } = await t.app
        .get(TokenService)
        .issue('bob')
        .catch(() => ({ access_token: '' }));
      expect(access_token).toBe('');
      store.down = false;
      const login = await t.tokens.issue('carol');
      store.down = true;
      const sessions = await t
        .http()
        .get('/auth/sessions')
        .set('Authorization', `Bearer ${login.access_token}`);
      expect(sessions.status).toBe(503);
      expect(sessions.headers['retry-after']).toBe('1');
      expect(sessions.body).toMatchObject({ statusCode: 503 });
      store.down = false;
      expect((await t.refresh(refresh_token)).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('RT18: a store that times out answers 503 within storeTimeoutMs', async () => {
    const t = await createRefreshApp(
      { storeTimeoutMs: 200 },
      { providers: [{ provide: RefreshTokenStore, useClass: DownStore }] },
    );
    try {
      const store = t.app.get(RefreshTokenStore) as DownStore;
      const { refresh_token } = await t.tokens.issue('alice');
      store.hang = true;
      const started = Date.now();
      const res = await t.refresh(refresh_token);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await t.close();
    }
  });

  it('RT18: after a restart the in-memory store refuses every old refresh token (fail closed)', async () => {
    const before = await createRefreshApp();
    const { refresh_token, access_token } = await before.tokens.issue('alice');
    const rotated = await before.refresh(refresh_token);
    await before.close();
    const after = await createRefreshApp();
    try {
      expectInvalidGrant(await after.refresh(refresh_token));
      expectInvalidGrant(await after.refresh(rotated.body.refresh_token));
      expect((await after.probe(access_token)).status).toBe(401);
      expect(after.events.names()).not.toContain('family.revoked');
      const fresh = await after.tokens.issue('alice');
      expect((await after.refresh(fresh.refresh_token)).status).toBe(200);
    } finally {
      await after.close();
    }
  });
});
