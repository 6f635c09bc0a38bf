import { escapeGlob } from './redis-scan';

describe('escapeGlob', () => {
  it('makes a key prefix literal in a SCAN MATCH pattern', () => {
    expect(escapeGlob('auth:')).toBe('auth:');
    expect(escapeGlob('a*b?c[d]e\\f')).toBe('a\\*b\\?c\\[d\\]e\\\\f');
  });
});
