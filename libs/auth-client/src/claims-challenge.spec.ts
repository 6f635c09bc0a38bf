import { decodeClaimsChallenge } from './claims-challenge';

describe('decodeClaimsChallenge', () => {
  const claims = { access_token: { nbf: { essential: true, value: '1700000000' } } };

  it('decodes base64 JSON, as the API sends it (E5)', () => {
    const encoded = Buffer.from(JSON.stringify(claims)).toString('base64');
    expect(decodeClaimsChallenge(encoded)).toEqual(claims);
  });

  it('decodes base64url without padding too', () => {
    const encoded = Buffer.from(JSON.stringify({ ...claims, note: '~~~ü' })).toString('base64url');
    expect(decodeClaimsChallenge(encoded)).toEqual({ ...claims, note: '~~~ü' });
  });

  it.each([
    '',
    '!!!',
    Buffer.from('[1]').toString('base64'),
    Buffer.from('"x"').toString('base64'),
  ])('refuses %p with a TypeError', (value) => {
    expect(() => decodeClaimsChallenge(value)).toThrow(TypeError);
  });
});
