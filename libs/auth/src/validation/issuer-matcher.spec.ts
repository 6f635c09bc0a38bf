import { IssuerMatcher, keyIssuerAllows } from './issuer-matcher';

const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

describe('IssuerMatcher', () => {
  const matcher = new IssuerMatcher([
    'https://a.test/',
    'https://login.microsoftonline.com/{tenantid}/v2.0',
  ]);

  it('matches exact issuers only, case-sensitively', () => {
    expect(matcher.matches('https://a.test/', undefined)).toBe(true);
    expect(matcher.matches('https://A.test/', undefined)).toBe(false);
    expect(matcher.matches('https://a.test', undefined)).toBe(false);
  });

  it('fills a template only with the token tid, a lower-case GUID', () => {
    expect(matcher.matches(`https://login.microsoftonline.com/${TID}/v2.0`, TID)).toBe(true);
    expect(
      matcher.matches(`https://login.microsoftonline.com/${TID}/v2.0`, TID.toUpperCase()),
    ).toBe(false);
    expect(matcher.matches('https://login.microsoftonline.com/{tenantid}/v2.0', '{tenantid}')).toBe(
      false,
    );
    expect(matcher.matches('https://login.microsoftonline.com/x/v2.0', 'x')).toBe(false);
    expect(matcher.matches(`https://login.microsoftonline.com/${TID}/v2.0`, 42)).toBe(false);
  });

  it('lists exact issuers for duplicate detection', () => {
    expect(matcher.exactIssuers()).toEqual(['https://a.test/']);
  });
});

describe('keyIssuerAllows', () => {
  const template = 'https://login.microsoftonline.com/{tenantid}/v2.0';
  it('substitutes the tid and accepts the v1 form of the same tenant', () => {
    expect(keyIssuerAllows(template, `https://login.microsoftonline.com/${TID}/v2.0`, TID)).toBe(
      true,
    );
    expect(keyIssuerAllows(template, `https://sts.windows.net/${TID}/`, TID)).toBe(true);
  });
  it('refuses other tenants and a missing tid', () => {
    const other = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
    expect(keyIssuerAllows(template, `https://login.microsoftonline.com/${other}/v2.0`, TID)).toBe(
      false,
    );
    expect(
      keyIssuerAllows(template, `https://login.microsoftonline.com/${TID}/v2.0`, undefined),
    ).toBe(false);
    expect(keyIssuerAllows('https://fixed.test/', 'https://fixed.test/', undefined)).toBe(true);
  });
});
