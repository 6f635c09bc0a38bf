import { DEMO_USERS } from './login/demo-users.service';
import type { SampleSettings } from './settings/sample-settings';
import { DOCS_PATH } from './swagger';

/**
 * What the sample prints once it listens: where it is, how it is set up, and curl lines to log
 * in and call it. Never prints a password the user set (only the documented default).
 */
export function startupBanner(settings: SampleSettings, url: string, startupMs: number): string {
  const password = settings.demoPasswordIsDefault ? settings.demoPassword : '$DEMO_PASSWORD';
  const trusted = [
    `its own tokens (${settings.publicUrl})`,
    ...(settings.outside ? [`${settings.outside.issuers.join(', ')} (AUTH_ISSUER)`] : []),
    ...(settings.entra ? [`Entra tenant ${settings.entra.tenantId}`] : []),
  ];
  const users = DEMO_USERS.map(
    (u) =>
      `${u.username} (${[...u.scopes, ...(u.groups.length ? ['admin group'] : [])].join(', ')})`,
  );
  const login = (user: string) =>
    `curl -s -X POST ${url}/auth/login -H 'Content-Type: application/json' ` +
    `-d '{"username":"${user}","password":"${password}"}'`;
  return [
    '',
    `Payments sample API on ${url} (started in ${startupMs} ms)`,
    `  trusts:      ${trusted.join('; ')}`,
    `  stores:      ${settings.redisUrl ? `Redis at ${redacted(settings.redisUrl)}` : 'in memory (restart = everyone logs in again)'}`,
    `  docs:        ${url}/${DOCS_PATH}`,
    `  demo users:  ${users.join(', ')}; password ${settings.demoPasswordIsDefault ? `"${password}" (set DEMO_PASSWORD to change it)` : 'from DEMO_PASSWORD'}`,
    '',
    'Try it:',
    `  ${login('alice')}`,
    `  ACCESS_TOKEN=$(${login('alice')} | node -p 'JSON.parse(fs.readFileSync(0)).access_token')`,
    `  curl -s ${url}/payments -H "Authorization: Bearer $ACCESS_TOKEN"`,
    '',
  ].join('\n');
}

function redacted(redisUrl: string): string {
  try {
    const url = new URL(redisUrl);
    if (url.password) url.password = '***';
    return url.href;
  } catch {
    return 'REDIS_URL';
  }
}
