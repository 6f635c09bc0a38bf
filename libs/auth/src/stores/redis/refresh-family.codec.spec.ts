import { decodeFamily, encodeClaims, FAMILY_FIELDS } from './refresh-family.codec';

describe('refresh family codec', () => {
  it('decodes the hash fields in FAMILY_FIELDS order', () => {
    expect(FAMILY_FIELDS).toEqual([
      'sub',
      'clientId',
      'scope',
      'claims',
      'createdAt',
      'absExp',
      'lastUsedAt',
      'currentTid',
      'state',
    ]);
    const values = [
      'alice',
      'web',
      'a b',
      encodeClaims({ t: 1 }),
      '10',
      '20',
      '15',
      'tid',
      'active',
    ];
    expect(decodeFamily('fid', values)).toEqual({
      id: 'fid',
      subject: 'alice',
      clientId: 'web',
      scope: 'a b',
      claims: { t: 1 },
      createdAt: 10,
      absoluteExpiresAt: 20,
      lastUsedAt: 15,
      currentTokenId: 'tid',
      state: 'active',
    });
  });

  it('keeps "no claims" apart from empty claims, and reads a missing family as undefined', () => {
    expect(encodeClaims(undefined)).toBe('');
    const values = ['alice', 'web', '', '', '1', '2', '1', 'tid', 'revoked'];
    expect(decodeFamily('fid', values)).toMatchObject({ claims: undefined, state: 'revoked' });
    expect(decodeFamily('fid', [...values.slice(0, 3), '{}', ...values.slice(4)])?.claims).toEqual(
      {},
    );
    expect(decodeFamily('fid', Array(9).fill(null))).toBeUndefined();
  });
});
