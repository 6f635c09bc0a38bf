import { countMembers, hasDuplicateMembers } from './duplicate-members';

describe('hasDuplicateMembers', () => {
  it('is false for distinct names, at any depth and in arrays of objects', () => {
    for (const text of [
      '{}',
      '[]',
      '"a"',
      '1',
      'null',
      '{"a":1,"b":{"a":1,"b":[{"a":1},{"a":2}]},"c":[]}',
      '[{"a":1},{"a":1}]',
      ' { "a" : 1 , "b" : 2 } ',
      '{"2":1,"1":2,"10":3}', // integer-like names, which JSON.parse reorders
      '{"__proto__":1,"constructor":2}',
    ])
      expect([text, hasDuplicateMembers(text)]).toEqual([text, false]);
  });

  it('is true for a repeated name at the top, nested, in an array, and spelled with escapes', () => {
    for (const text of [
      '{"a":1,"a":1}',
      '{"a":1,"b":{"c":1,"c":2}}',
      '[1,{"x":[{"a":1,"b":2,"a":3}]}]',
      '{"a":1,"\\u0061":2}',
      '{"a\\"b":1,"a\\u0022b":2}',
      '{"1":1,"01":2,"1":3}',
      '{"__proto__":1,"__proto__":2}',
    ])
      expect([text, hasDuplicateMembers(text)]).toEqual([text, true]);
  });

  it('does not count a colon, quote or backslash inside a string as structure', () => {
    for (const text of [
      '{"a:b":"c:d","e":"https://x/"}',
      '{"a\\"":1,"b":"\\":\\""}',
      '{"a\\\\":1,"b":"\\\\"}', // an escaped backslash before the closing quote
      '{"ü:":"ü","a":"\u{1F600}:"}',
    ])
      expect([text, hasDuplicateMembers(text)]).toEqual([text, false]);
    expect(hasDuplicateMembers('{"a\\\\":1,"a\\\\":2}')).toBe(true);
  });

  it('works at any depth without recursion', () => {
    const deep = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
    expect(hasDuplicateMembers(deep)).toBe(false);
    expect(
      hasDuplicateMembers('[{"a":1,"a":2},' + '['.repeat(50_000) + ']'.repeat(50_000) + ']'),
    ).toBe(true);
  });

  it('throws on text that is not JSON', () => {
    expect(() => hasDuplicateMembers('{"a":1')).toThrow(SyntaxError);
  });
});

describe('countMembers', () => {
  it('counts the members of all objects in UTF-8 JSON', () => {
    const count = (text: string) => countMembers(Buffer.from(text));
    expect(count('{"a":{"b":1,"c":[{"d":":"}]},"e":"\\"::"}')).toBe(5);
    expect(count('[":",":"]')).toBe(0);
  });
});
