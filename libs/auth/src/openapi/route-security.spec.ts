import type { Requirement } from '../authorization/requirement';
import { describeRequirements, securityAlternatives } from './route-security';

const scopes = (mode: 'any' | 'all', ...values: string[]): Requirement => ({
  list: 'scopes',
  mode,
  values,
});

describe('securityAlternatives', () => {
  it('is one empty alternative without requirements (a token, nothing more)', () => {
    expect(securityAlternatives([], 16)).toEqual([[]]);
  });

  it('distributes any-of over the AND of requirements, without duplicates', () => {
    expect(securityAlternatives([scopes('any', 'A', 'B'), scopes('any', 'B', 'C')], 16)).toEqual([
      ['A', 'B'],
      ['A', 'C'],
      ['B'],
      ['B', 'C'],
    ]);
  });

  it('gives every name of an @AnyOf its own alternative, ANDed with the rest', () => {
    const anyOf: Requirement = {
      list: 'anyOf',
      scopes: ['S'],
      roles: ['R', 'S'],
      groups: ['g'],
    };
    expect(securityAlternatives([anyOf], 16)).toEqual([['S'], ['R'], ['g']]);
    expect(securityAlternatives([scopes('any', 'A'), anyOf], 16)).toEqual([
      ['A', 'S'],
      ['A', 'R'],
      ['A', 'g'],
    ]);
    expect(securityAlternatives([scopes('any', 'A', 'B'), anyOf], 5)).toBeUndefined();
  });

  it('gives up past the maximum', () => {
    expect(
      securityAlternatives([scopes('any', 'A', 'B'), scopes('any', 'C', 'D')], 3),
    ).toBeUndefined();
  });

  it('cannot name what an unknown requirement needs: the scheme alone', () => {
    const unknown = { list: 'mystery' } as unknown as Requirement;
    expect(securityAlternatives([scopes('all', 'A'), unknown], 16)).toEqual([['A']]);
    expect(describeRequirements([unknown])).toBe(
      'Requires a permission this document cannot describe.',
    );
  });
});

describe('describeRequirements', () => {
  it('reads like the 403 messages', () => {
    expect(describeRequirements([])).toBe('Requires a valid bearer token.');
    expect(
      describeRequirements([
        scopes('any', 'A'),
        scopes('all', 'B', 'C'),
        { list: 'roles', mode: 'any', values: ['R1', 'R2'] },
        { list: 'groups', mode: 'any', values: ['g'] },
      ]),
    ).toBe('Requires scope A and all of the scopes B, C and one of the roles R1, R2 and group g.');
  });

  it('describes @AnyOf as the 403 message does', () => {
    expect(
      describeRequirements([
        scopes('any', 'Payments.Read'),
        { list: 'anyOf', scopes: [], roles: ['Payments.Approver'], groups: ['g'] },
      ]),
    ).toBe('Requires scope Payments.Read and role Payments.Approver or group g.');
    expect(
      describeRequirements([{ list: 'anyOf', scopes: ['S1', 'S2'], roles: ['R'], groups: [] }]),
    ).toBe('Requires one of the scopes S1, S2 in a delegated token, or role R.');
  });
});
