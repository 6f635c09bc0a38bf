import { isStoreId, RefreshKeys } from './refresh-keys';

describe('RefreshKeys (RT16)', () => {
  const keys = new RefreshKeys('auth:');
  const fid = 'AAAAAAAAAAAAAAAAAAAAAA';

  it('lays out the keys of RT16, every family key carrying the {fid} hash tag', () => {
    expect(keys.family(fid)).toBe(`auth:rt:{${fid}}:fam`);
    expect(keys.token(fid, 'tid')).toBe(`auth:rt:{${fid}}:t:tid`);
    expect(keys.successor(fid, 'tid')).toBe(`auth:rt:{${fid}}:succ:tid`);
    expect(keys.subject('alice')).toBe('auth:rt:sub:alice');
    const tag = (key: string) => /\{([^}]*)\}/.exec(key)?.[1];
    for (const key of [keys.family(fid), keys.token(fid, 'x'), keys.successor(fid, 'y')]) {
      expect(tag(key)).toBe(fid);
    }
  });

  it('accepts only base64url ids, so no id can break the hash tag', () => {
    expect(isStoreId(fid)).toBe(true);
    for (const bad of ['', 'a}b', '{x}', 'a b', 'ü', 'a'.repeat(65), 5, undefined]) {
      expect(isStoreId(bad)).toBe(false);
    }
  });
});
