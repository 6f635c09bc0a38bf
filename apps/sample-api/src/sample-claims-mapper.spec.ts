import { SampleClaimsMapper } from './sample-claims-mapper';
import { ADMIN_GROUP_ID } from './sample.constants';

const base = { iss: 'https://issuer.test/', sub: 'u1', iat: 1, exp: 2, scp: 'Payments.Read' };

describe('SampleClaimsMapper', () => {
  const mapper = new SampleClaimsMapper();

  it('gives members of the admin group the Payments.Approver role', () => {
    const user = mapper.map({ ...base, groups: [ADMIN_GROUP_ID] });
    expect(typeof user !== 'string' && user.roles).toEqual(['Payments.Approver']);
  });

  it('keeps others as the default mapper makes them', () => {
    const user = mapper.map({ ...base, groups: ['another-group'], roles: ['Other'] });
    expect(typeof user !== 'string' && user.roles).toEqual(['Other']);
    const approver = mapper.map({
      ...base,
      groups: [ADMIN_GROUP_ID],
      roles: ['Payments.Approver'],
    });
    expect(typeof approver !== 'string' && approver.roles).toEqual(['Payments.Approver']);
  });

  it('gives nothing on a groups overage (no groups in the token) and passes refusals on', () => {
    const overage = mapper.map({ ...base, hasgroups: true, groups: [ADMIN_GROUP_ID] });
    expect(typeof overage !== 'string' && overage.roles).toEqual([]);
    expect(mapper.map({ iss: 'x', iat: 1, exp: 2 })).toEqual(expect.any(String));
  });
});
