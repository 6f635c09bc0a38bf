import { createHash, randomBytes } from 'node:crypto';
import { InMemoryRefreshTokenStore } from './in-memory-refresh-token.store';
import type { RotateInput } from './refresh-token.store';

const hash = (s: string) => createHash('sha256').update(s).digest('base64url');
const id = () => randomBytes(16).toString('base64url');
const DAY = 86_400_000;
const T0 = 1_800_000_000_000;

describe('InMemoryRefreshTokenStore', () => {
  let store: InMemoryRefreshTokenStore;
  beforeEach(() => (store = new InMemoryRefreshTokenStore()));

  async function family(subject = 'alice', createdAt = T0, max = 50) {
    const fid = id();
    const tid = id();
    const result = await store.createFamily({
      family: {
        id: fid,
        subject,
        clientId: 'web',
        scope: 'a b',
        createdAt,
        absoluteExpiresAt: createdAt + 30 * DAY,
      },
      token: { tokenId: tid, secretHash: hash(`s-${tid}`) },
      maxFamiliesPerSubject: max,
    });
    return { fid, tid, evicted: result.evicted };
  }

  const rotation = (fid: string, tid: string, over: Partial<RotateInput> = {}): RotateInput => {
    const next = id();
    return {
      familyId: fid,
      tokenId: tid,
      secretHash: hash(`s-${tid}`),
      successor: { tokenId: next, secretHash: hash(`s-${next}`), ciphertext: `sealed-${next}` },
      now: T0 + 1000,
      graceMs: 10_000,
      idleTtlMs: 14 * DAY,
      ...over,
    };
  };

  it('RT7: rotates a current token once; the successor becomes current', async () => {
    const { fid, tid } = await family();
    const input = rotation(fid, tid);
    const result = await store.rotate(input);
    expect(result.outcome).toBe('rotated');
    if (result.outcome !== 'rotated') return;
    expect(result.family.currentTokenId).toBe(input.successor.tokenId);
    expect(result.family.lastUsedAt).toBe(input.now);
    const next = await store.rotate(rotation(fid, input.successor.tokenId, { now: T0 + 2000 }));
    expect(next.outcome).toBe('rotated');
  });

  it('RT8: a replay within the window returns the stored ciphertext and writes nothing', async () => {
    const { fid, tid } = await family();
    const first = rotation(fid, tid);
    await store.rotate(first);
    const replay = await store.rotate(rotation(fid, tid, { now: T0 + 10_999 }));
    expect(replay).toMatchObject({ outcome: 'grace', ciphertext: first.successor.ciphertext });
    expect((await store.getFamily(fid))?.currentTokenId).toBe(first.successor.tokenId);
  });

  it('RT8: the window runs from the first rotation and is never extended', async () => {
    const { fid, tid } = await family();
    await store.rotate(rotation(fid, tid, { now: T0 }));
    expect((await store.rotate(rotation(fid, tid, { now: T0 + 9_000 }))).outcome).toBe('grace');
    expect((await store.rotate(rotation(fid, tid, { now: T0 + 10_000 }))).outcome).toBe('reuse');
  });

  it('RT8: no grace once the successor has itself been rotated', async () => {
    const { fid, tid } = await family();
    const first = rotation(fid, tid);
    await store.rotate(first);
    await store.rotate(rotation(fid, first.successor.tokenId, { now: T0 + 2000 }));
    expect((await store.rotate(rotation(fid, tid, { now: T0 + 3000 }))).outcome).toBe('reuse');
  });

  it('RT9: reuse outside the window revokes the family, and the successor then fails', async () => {
    const { fid, tid } = await family();
    const first = rotation(fid, tid, { graceMs: 0 });
    await store.rotate(first);
    const reuse = await store.rotate(rotation(fid, tid, { graceMs: 0, now: T0 + 1001 }));
    expect(reuse).toMatchObject({ outcome: 'reuse', family: { state: 'revoked' } });
    const after = await store.rotate(rotation(fid, first.successor.tokenId, { now: T0 + 2000 }));
    expect(after).toMatchObject({ outcome: 'invalid', reason: 'revoked' });
    expect(await store.listFamilies('alice', T0 + 2000, 14 * DAY)).toEqual([]);
  });

  it('RT10: unknown ids and wrong secrets change nothing', async () => {
    const { fid, tid } = await family();
    expect(await store.rotate(rotation(id(), tid))).toEqual({
      outcome: 'invalid',
      reason: 'unknown',
    });
    expect(await store.rotate(rotation(fid, id()))).toEqual({
      outcome: 'invalid',
      reason: 'unknown',
    });
    const forged = await store.rotate(rotation(fid, tid, { secretHash: hash('guess') }));
    expect(forged).toEqual({ outcome: 'invalid', reason: 'mismatch' });
    expect(await store.rotate(rotation(fid, tid, { secretHash: '' }))).toMatchObject({
      reason: 'mismatch',
    });
    expect((await store.getFamily(fid))?.state).toBe('active');
    expect((await store.rotate(rotation(fid, tid))).outcome).toBe('rotated');
  });

  it('RT11: a rotated token is still recognised as reuse after the idle lifetime', async () => {
    const { fid, tid } = await family();
    await store.rotate(rotation(fid, tid));
    const late = await store.rotate(rotation(fid, tid, { now: T0 + 20 * DAY }));
    expect(late.outcome).toBe('reuse');
  });

  it('RT12: idle lifetime from the last rotation, absolute from creation', async () => {
    const a = await family();
    const idle = await store.rotate(rotation(a.fid, a.tid, { now: T0 + 14 * DAY }));
    expect(idle).toMatchObject({ outcome: 'invalid', reason: 'expired' });

    const b = await family();
    let tid = b.tid;
    for (let day = 10; day < 30; day += 10) {
      const step = rotation(b.fid, tid, { now: T0 + day * DAY });
      expect((await store.rotate(step)).outcome).toBe('rotated');
      tid = step.successor.tokenId;
    }
    const absolute = await store.rotate(rotation(b.fid, tid, { now: T0 + 30 * DAY }));
    expect(absolute).toMatchObject({ outcome: 'invalid', reason: 'unknown' });
    expect(await store.getFamily(b.fid)).toBeUndefined();
  });

  it('RT13: the cap revokes the oldest families first', async () => {
    const first = await family('bob', T0, 2);
    const second = await family('bob', T0 + 1, 2);
    const third = await family('bob', T0 + 2, 2);
    expect(third.evicted.map((f) => f.id)).toEqual([first.fid]);
    expect(third.evicted[0].state).toBe('revoked');
    const live = await store.listFamilies('bob', T0 + 3, 14 * DAY);
    expect(live.map((f) => f.id)).toEqual([second.fid, third.fid]);
    expect(await store.rotate(rotation(first.fid, first.tid))).toMatchObject({ reason: 'revoked' });
  });

  it('RT14: fifty rotations started together yield one rotation, then grace replays', async () => {
    const { fid, tid } = await family();
    const inputs = Array.from({ length: 50 }, () => rotation(fid, tid));
    const results = await Promise.all(inputs.map((input) => store.rotate(input)));
    expect(results.filter((r) => r.outcome === 'rotated')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'grace')).toHaveLength(49);
    const winner = inputs[results.findIndex((r) => r.outcome === 'rotated')];
    for (const r of results) {
      if (r.outcome === 'grace') expect(r.ciphertext).toBe(winner.successor.ciphertext);
    }
  });

  it('RT14: with grace 0 the concurrent duplicates are reuse and the family is revoked', async () => {
    const { fid, tid } = await family();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => store.rotate(rotation(fid, tid, { graceMs: 0 }))),
    );
    expect(results.filter((r) => r.outcome === 'rotated')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'reuse')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'invalid')).toHaveLength(48);
    expect((await store.getFamily(fid))?.state).toBe('revoked');
  });

  it('authenticate proves possession without writing', async () => {
    const { fid, tid } = await family();
    expect((await store.authenticate(fid, tid, hash(`s-${tid}`)))?.id).toBe(fid);
    expect(await store.authenticate(fid, tid, hash('nope'))).toBeUndefined();
    expect(await store.authenticate(fid, id(), hash(`s-${tid}`))).toBeUndefined();
    expect((await store.rotate(rotation(fid, tid))).outcome).toBe('rotated');
  });

  it('RT20: lists only live families; idle ones are hidden', async () => {
    const a = await family('carol', T0);
    await family('carol', T0 + 1);
    expect(await store.listFamilies('carol', T0 + 2, 14 * DAY)).toHaveLength(2);
    await store.rotate(rotation(a.fid, a.tid, { now: T0 + 13 * DAY }));
    const later = await store.listFamilies('carol', T0 + 14 * DAY + 5, 14 * DAY);
    expect(later.map((f) => f.id)).toEqual([a.fid]);
    expect(await store.listFamilies('nobody', T0, DAY)).toEqual([]);
  });

  it('RT21: revokes every family of a subject, and revocation is idempotent', async () => {
    const a = await family('dave');
    const b = await family('dave');
    const other = await family('erin');
    const revoked = await store.revokeSubjectFamilies('dave', T0 + 1);
    expect(revoked.map((f) => f.id).sort()).toEqual([a.fid, b.fid].sort());
    expect(await store.revokeSubjectFamilies('dave', T0 + 2)).toEqual([]);
    expect((await store.revokeFamily(a.fid, T0 + 3))?.state).toBe('revoked');
    expect(await store.revokeFamily(id(), T0 + 3)).toBeUndefined();
    expect((await store.getFamily(other.fid))?.state).toBe('active');
  });

  it('refuses a family id collision', async () => {
    const { fid } = await family();
    await expect(
      store.createFamily({
        family: {
          id: fid,
          subject: 'x',
          clientId: 'c',
          scope: '',
          createdAt: T0,
          absoluteExpiresAt: T0 + DAY,
        },
        token: { tokenId: id(), secretHash: hash('x') },
        maxFamiliesPerSubject: 5,
      }),
    ).rejects.toThrow('collision');
  });

  it('K4: sweeps families past absolute expiry as writes go by', async () => {
    const old = await family('frank', T0);
    for (let i = 0; i < 1000; i++) await family(`user-${i}`, T0 + 31 * DAY);
    expect(await store.getFamily(old.fid)).toBeUndefined();
  });
});
