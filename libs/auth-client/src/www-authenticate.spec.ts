import { bearerChallengeOf, parseWwwAuthenticate } from './www-authenticate';

describe('parseWwwAuthenticate', () => {
  it('reads a bare Bearer challenge (E1)', () => {
    expect(parseWwwAuthenticate('Bearer realm="api"')).toEqual([
      { scheme: 'bearer', params: { realm: 'api' } },
    ]);
  });

  it('reads quoted and token values, unescaping quoted pairs', () => {
    const [challenge] = parseWwwAuthenticate(
      'Bearer realm="a \\"quoted\\" realm", error=invalid_token, error_description="x, y"',
    );
    expect(challenge.params).toEqual({
      realm: 'a "quoted" realm',
      error: 'invalid_token',
      error_description: 'x, y',
    });
  });

  it('reads several challenges and token68 forms', () => {
    const challenges = parseWwwAuthenticate(
      'Basic realm="x", Negotiate abc+/==, Bearer error="insufficient_claims", claims="eyJ9"',
    );
    expect(challenges).toEqual([
      { scheme: 'basic', params: { realm: 'x' } },
      { scheme: 'negotiate', params: {}, token68: 'abc+/==' },
      { scheme: 'bearer', params: { error: 'insufficient_claims', claims: 'eyJ9' } },
    ]);
  });

  it('lower-cases scheme and parameter names, keeps the first of a repeated parameter', () => {
    expect(parseWwwAuthenticate('BEARER Error="a", error="b"')).toEqual([
      { scheme: 'bearer', params: { error: 'a' } },
    ]);
  });

  it('stops at an unterminated quoted string, keeping what it read', () => {
    expect(parseWwwAuthenticate('Bearer realm="api", error="invalid')).toEqual([
      { scheme: 'bearer', params: { realm: 'api' } },
    ]);
  });

  it('answers nothing for an empty or missing header', () => {
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(parseWwwAuthenticate(null)).toEqual([]);
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
  });

  it('finds the Bearer challenge of a response', () => {
    const response = new Response(null, {
      status: 401,
      headers: { 'WWW-Authenticate': 'Basic realm="x", Bearer realm="api", error="invalid_token"' },
    });
    expect(bearerChallengeOf(response)?.params.error).toBe('invalid_token');
    expect(bearerChallengeOf(new Response(null))).toBeUndefined();
  });
});
