import { bearerChallenge } from './bearer-challenge';
import {
  InsufficientClaimsError,
  InsufficientScopeError,
  TemporarilyUnavailableError,
} from './auth.errors';

describe('bearerChallenge (RFC 6750 §3)', () => {
  it('quotes values and escapes quotes, backslashes and non-printables', () => {
    expect(bearerChallenge('api')).toBe('Bearer realm="api"');
    expect(bearerChallenge('a"b', { error: 'x\\y', note: 'é\n' })).toBe(
      'Bearer realm="a\\"b", error="x\\\\y", note="??"',
    );
  });

  it('builds E4 and E5 challenges', () => {
    expect(new InsufficientScopeError(['A', 'B']).headers('api')['WWW-Authenticate']).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="Insufficient permissions: requires A or B", scope="A B"',
    );
    const claims = new InsufficientClaimsError(1700000000).claims;
    expect(JSON.parse(Buffer.from(claims, 'base64').toString())).toEqual({
      access_token: { nbf: { essential: true, value: '1700000000' } },
    });
    expect(new TemporarilyUnavailableError('x', 7).headers()).toEqual({ 'Retry-After': '7' });
  });
});
