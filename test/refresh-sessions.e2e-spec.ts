import { TestIssuer } from '@app/auth/testing';
import {
  createRefreshApp,
  expectInvalidGrant,
  expectOAuthError,
  RefreshApp,
} from './support/refresh-app';

describe('revocation and sessions (RT19–RT21, K1, K2, E5)', () => {
  let t: RefreshApp;
  beforeEach(async () => (t = await createRefreshApp()));
  afterEach(() => t.close());
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const revoke = (body: Record<string, string>) =>
    t.http().post('/auth/revoke').type('form').send(body);

  describe('RT19: POST /auth/revoke', () => {
    it('RT19: a refresh token revokes its family and, through sid, its access tokens', async () => {
      const first = await t.tokens.issue('alice');
      const next = await t.refresh(first.refresh_token);
      const res = await revoke({
        token: next.body.refresh_token,
        token_type_hint: 'refresh_token',
      });
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect(res.headers['cache-control']).toBe('no-store');
      expectInvalidGrant(await t.refresh(next.body.refresh_token));
      expect((await t.probe(next.body.access_token)).status).toBe(401);
      expect((await t.probe(first.access_token)).status).toBe(401);
    });

    it('RT19: an access token is refused until exp and its family is untouched (K1)', async () => {
      const { access_token, refresh_token } = await t.tokens.issue('alice');
      const other = await t.refresh(refresh_token);
      expect((await revoke({ token: access_token, token_type_hint: 'access_token' })).status).toBe(
        200,
      );
      expect((await t.probe(access_token)).status).toBe(401);
      expect((await t.probe(other.body.access_token)).status).toBe(200);
      expect((await t.refresh(other.body.refresh_token)).status).toBe(200);
    });

    it('RT19: an unknown hint is ignored; the token shape decides', async () => {
      const { refresh_token } = await t.tokens.issue('alice');
      expect((await revoke({ token: refresh_token, token_type_hint: 'access_token' })).status).toBe(
        200,
      );
      expectInvalidGrant(await t.refresh(refresh_token));
      const second = await t.tokens.issue('alice');
      expect((await revoke({ token: second.access_token, token_type_hint: 'bogus' })).status).toBe(
        200,
      );
      expect((await t.probe(second.access_token)).status).toBe(401);
    });

    it('RT19: garbage, unknown, forged and already revoked tokens get 200 and change nothing', async () => {
      const { refresh_token, access_token } = await t.tokens.issue('alice');
      const [fid, tid] = refresh_token.slice(3).split('.');
      const foreign = await TestIssuer.start({ issuer: 'https://other.test/', audience: 'api' });
      try {
        const attempts = [
          'garbage',
          `rt_${fid}.${tid}.${'A'.repeat(42)}A`,
          `rt_${'B'.repeat(21)}A.${tid}.${'A'.repeat(42)}A`,
          access_token.replace(/\.[^.]+$/, '.AAAA'),
          await foreign.mint({ sub: 'alice' }),
        ];
        for (const token of attempts) {
          const res = await revoke({ token });
          expect(res.status).toBe(200);
          expect(res.text).toBe('');
        }
      } finally {
        await foreign.stop();
      }
      expect((await t.probe(access_token)).status).toBe(200);
      expect((await t.refresh(refresh_token)).status).toBe(200);
      await revoke({ token: refresh_token });
      expect((await revoke({ token: refresh_token })).status).toBe(200);
    });

    it("RT19: another client's token is answered 200 with no effect", async () => {
      const { refresh_token, access_token } = await t.tokens.issue('alice', { clientId: 'web' });
      expect((await revoke({ token: refresh_token, client_id: 'mobile' })).status).toBe(200);
      expect((await revoke({ token: access_token, client_id: 'mobile' })).status).toBe(200);
      expect((await t.probe(access_token)).status).toBe(200);
      expect((await t.refresh(refresh_token)).status).toBe(200);
    });

    it('RT19: a missing token is 400 invalid_request', async () => {
      expectOAuthError(await revoke({ token_type_hint: 'refresh_token' }), 400, 'invalid_request');
      expectOAuthError(await revoke({ token: '' }), 400, 'invalid_request');
      const twice = await t.http().post('/auth/revoke').type('form').send('token=a&token=b');
      expectOAuthError(twice, 400, 'invalid_request');
      expect((await t.http().get('/auth/revoke')).status).toBe(405);
    });
  });

  describe('RT20: sessions', () => {
    it('RT20: GET /auth/sessions lists {id, clientId, createdAt, lastUsedAt, current} and no token material', async () => {
      const web = await t.tokens.issue('alice', { clientId: 'web' });
      t.clock.advance(1000);
      const mobile = await t.tokens.issue('alice', { clientId: 'mobile' });
      await t.tokens.issue('bob');
      const res = await t.http().get('/auth/sessions').set(bearer(mobile.access_token));
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toHaveLength(2);
      for (const s of res.body)
        expect(Object.keys(s).sort()).toEqual([
          'clientId',
          'createdAt',
          'current',
          'id',
          'lastUsedAt',
        ]);
      expect(
        res.body.map((s: { clientId: string; current: boolean }) => [s.clientId, s.current]),
      ).toEqual([
        ['web', false],
        ['mobile', true],
      ]);
      expect(res.body[0].id).toBe(web.refresh_token.slice(3, 25));
      expect(new Date(res.body[0].createdAt).toISOString()).toBe(res.body[0].createdAt);
      for (const token of [web.refresh_token, mobile.refresh_token])
        expect(res.text).not.toContain(token.split('.')[2]);
    });

    it('RT20: the session routes need a valid bearer token', async () => {
      expect((await t.http().get('/auth/sessions')).status).toBe(401);
      expect((await t.http().post('/auth/logout')).status).toBe(401);
      expect((await t.http().post('/auth/logout-all')).status).toBe(401);
      expect((await t.http().delete('/auth/sessions/x')).status).toBe(401);
      const { refresh_token } = await t.tokens.issue('alice');
      const asBearer = await t.http().get('/auth/sessions').set(bearer(refresh_token));
      expect(asBearer.status).toBe(401);
    });

    it('RT20: DELETE /auth/sessions/:id revokes that family and its access tokens', async () => {
      const a = await t.tokens.issue('alice');
      const b = await t.tokens.issue('alice');
      const id = a.refresh_token.slice(3, 25);
      const res = await t.http().delete(`/auth/sessions/${id}`).set(bearer(b.access_token));
      expect(res.status).toBe(204);
      expectInvalidGrant(await t.refresh(a.refresh_token));
      expect((await t.probe(a.access_token)).status).toBe(401);
      expect((await t.probe(b.access_token)).status).toBe(200);
      const list = await t.http().get('/auth/sessions').set(bearer(b.access_token));
      expect(list.body.map((s: { id: string }) => s.id)).toEqual([b.refresh_token.slice(3, 25)]);
    });

    it("RT20: another subject's session answers 404 and stays alive", async () => {
      const alice = await t.tokens.issue('alice');
      const bob = await t.tokens.issue('bob');
      const res = await t
        .http()
        .delete(`/auth/sessions/${bob.refresh_token.slice(3, 25)}`)
        .set(bearer(alice.access_token));
      expect(res.status).toBe(404);
      expect(
        (await t.http().delete('/auth/sessions/unknown').set(bearer(alice.access_token))).status,
      ).toBe(404);
      expect((await t.refresh(bob.refresh_token)).status).toBe(200);
    });

    it('RT20: POST /auth/logout revokes the current family only', async () => {
      const a = await t.tokens.issue('alice');
      const b = await t.tokens.issue('alice');
      expect((await t.http().post('/auth/logout').set(bearer(a.access_token))).status).toBe(204);
      expectInvalidGrant(await t.refresh(a.refresh_token));
      expect((await t.probe(a.access_token)).status).toBe(401);
      expect((await t.refresh(b.refresh_token)).status).toBe(200);
    });

    it("RT20: another issuer's token cannot manage sessions", async () => {
      const foreign = await TestIssuer.start({ issuer: 'https://idp.test/', audience: 'api' });
      const t2 = await createRefreshApp(
        {},
        { module: { issuer: 'https://idp.test/', audience: 'api', jwksUri: foreign.jwksUri } },
      );
      try {
        await t2.tokens.issue('alice');
        const res = await t2
          .http()
          .get('/auth/sessions')
          .set(bearer(await foreign.mint({ sub: 'alice' })));
        expect(res.status).toBe(403);
      } finally {
        await t2.close();
        await foreign.stop();
      }
    });
  });

  describe('RT21: logout everywhere', () => {
    it('RT21: POST /auth/logout-all revokes every family and refuses earlier tokens with a claims challenge (E5)', async () => {
      const a = await t.tokens.issue('alice');
      const b = await t.tokens.issue('alice');
      const bob = await t.tokens.issue('bob');
      t.clock.advance(1000);
      expect((await t.http().post('/auth/logout-all').set(bearer(a.access_token))).status).toBe(
        204,
      );
      expectInvalidGrant(await t.refresh(a.refresh_token));
      expectInvalidGrant(await t.refresh(b.refresh_token));
      const probe = await t.probe(b.access_token);
      expect(probe.status).toBe(401);
      expect(probe.headers['www-authenticate']).toContain('error="insufficient_claims"');
      expect((await t.refresh(bob.refresh_token)).status).toBe(200);
      t.clock.advance(1000);
      const fresh = await t.tokens.issue('alice');
      expect((await t.probe(fresh.access_token)).status).toBe(200);
      expect((await t.refresh(fresh.refresh_token)).status).toBe(200);
    });

    it('RT21, K2: within one second, tokens before logout-all are refused and a new login works', async () => {
      const before = await t.tokens.issue('alice');
      expect(
        (await t.http().post('/auth/logout-all').set(bearer(before.access_token))).status,
      ).toBe(204);
      const refused = await t.probe(before.access_token);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toContain('error="insufficient_claims"');
      const after = await t.tokens.issue('alice');
      expect((await t.probe(after.access_token)).status).toBe(200);
      const rotated = await t.refresh(after.refresh_token);
      expect(rotated.status).toBe(200);
      expect((await t.probe(rotated.body.access_token)).status).toBe(200);
    });

    it('K4: revocation entries expire when the tokens they refuse would have', async () => {
      const a = await t.tokens.issue('alice');
      await t.http().post('/auth/logout').set(bearer(a.access_token));
      const { RevocationStore } = await import('@app/auth');
      const store = t.app.get(RevocationStore);
      const claims = {
        subject: 'alice',
        sessionId: a.refresh_token.slice(3, 25),
        issuedAt: t.clock.nowSeconds(),
      };
      expect(store.check(claims, t.clock.nowSeconds()).revoked).toBe(true);
      expect(store.check(claims, t.clock.nowSeconds() + 900 + 60 + 1).revoked).toBe(false);
    });
  });
});
