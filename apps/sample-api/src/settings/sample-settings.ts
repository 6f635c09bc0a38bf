import { formatDuration, parseDuration } from './duration';

/** The demo password when `DEMO_PASSWORD` is not set. Documented in the README. */
export const DEFAULT_DEMO_PASSWORD = 'demo-password';

/** Defaults of the sample's settings, in one place. */
export const SETTINGS_DEFAULTS = {
  port: 3000,
  host: '127.0.0.1',
  audience: 'api://payments-sample',
  accessTokenTtl: 900,
  refreshIdleTtl: 14 * 86400,
  refreshAbsoluteTtl: 30 * 86400,
  loginRateLimit: 10,
} as const;

/** An outside token issuer the sample trusts beside its own (`AUTH_*`). */
export interface OutsideIssuerSettings {
  readonly issuers: readonly string[];
  readonly audiences: readonly string[];
  readonly jwksUri?: string;
  readonly authority?: string;
}

/** Everything the sample reads from its environment, checked. */
export interface SampleSettings {
  /** `PORT`: where to listen; `0` picks a free port. Default 3000. */
  readonly port: number;
  /** `HOST`: the interface to listen on. Default `127.0.0.1` (this machine only). */
  readonly host: string;
  /**
   * `PUBLIC_URL`: the URL clients reach the sample at — the `iss` of its own tokens and the base
   * of its discovery document. Default `http://localhost:<PORT>`.
   */
  readonly publicUrl: string;
  /** `SAMPLE_AUDIENCE`: the `aud` of the sample's own tokens. Default `api://payments-sample`. */
  readonly audience: string;
  /** `AUTH_ISSUER`, `AUTH_AUDIENCE`, `AUTH_JWKS_URI` / `AUTH_AUTHORITY`. */
  readonly outside?: OutsideIssuerSettings;
  /** `ENTRA_TENANT_ID` + `ENTRA_CLIENT_ID`. */
  readonly entra?: { readonly tenantId: string; readonly clientId: string };
  /** `REDIS_URL`: Redis stores instead of in-memory ones. */
  readonly redisUrl?: string;
  /** `ACCESS_TOKEN_TTL`, seconds. Default 900 (15m). */
  readonly accessTokenTtl: number;
  /** `REFRESH_IDLE_TTL`, seconds. Default 1209600 (14d). */
  readonly refreshIdleTtl: number;
  /** `REFRESH_ABSOLUTE_TTL`, seconds. Default 2592000 (30d). */
  readonly refreshAbsoluteTtl: number;
  /** `DEMO_PASSWORD`: the password of every demo user. Default `demo-password`. */
  readonly demoPassword: string;
  /** Whether `DEMO_PASSWORD` was left unset (the banner then says so). */
  readonly demoPasswordIsDefault: boolean;
  /** `LOGIN_RATE_LIMIT`: logins allowed per minute and client address. Default 10. */
  readonly loginRateLimit: number;
}

/** One setting that is wrong, and how to fix it. */
export interface SettingProblem {
  readonly setting: string;
  readonly message: string;
}

/** Bad settings: the start stops with a message naming each setting and the fix. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly SettingProblem[]) {
    super(
      `Invalid settings — the sample did not start:\n` +
        problems.map((p) => `  ${p.setting}: ${p.message}`).join('\n'),
    );
    this.name = 'SettingsError';
  }
}

/** Reads one setting; `process.env` and `ConfigService` both fit. */
export type SettingReader = (name: string) => string | undefined;

/** Every setting the sample reads, for the README and the banner. */
export const SETTING_NAMES = [
  'PORT',
  'HOST',
  'PUBLIC_URL',
  'SAMPLE_AUDIENCE',
  'AUTH_ISSUER',
  'AUTH_AUDIENCE',
  'AUTH_JWKS_URI',
  'AUTH_AUTHORITY',
  'ENTRA_TENANT_ID',
  'ENTRA_CLIENT_ID',
  'REDIS_URL',
  'ACCESS_TOKEN_TTL',
  'REFRESH_IDLE_TTL',
  'REFRESH_ABSOLUTE_TTL',
  'DEMO_PASSWORD',
  'LOGIN_RATE_LIMIT',
] as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads and checks the sample's settings. An empty value counts as unset.
 *
 * @throws SettingsError listing every bad setting, by name, with what it expects.
 */
export function readSettings(read: SettingReader): SampleSettings {
  const problems: SettingProblem[] = [];
  const problem = (setting: string, message: string) => problems.push({ setting, message });
  const value = (name: string): string | undefined => {
    const raw = read(name);
    return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined;
  };

  const port = integer(value('PORT'), 'PORT', 0, 65535, SETTINGS_DEFAULTS.port, problem);
  const host = value('HOST') ?? SETTINGS_DEFAULTS.host;
  const publicUrlText = value('PUBLIC_URL');
  const publicUrl =
    publicUrlText === undefined
      ? `http://localhost:${port}`
      : httpUrl(publicUrlText, 'PUBLIC_URL', problem, true);

  const outside = outsideIssuer(value, problem);
  const tenantId = value('ENTRA_TENANT_ID');
  const clientId = value('ENTRA_CLIENT_ID');
  let entra: SampleSettings['entra'];
  if (tenantId !== undefined || clientId !== undefined) {
    if (tenantId === undefined) {
      problem(
        'ENTRA_TENANT_ID',
        'set it with ENTRA_CLIENT_ID: your tenant id (a GUID), or organizations / common',
      );
    } else if (/\s/.test(tenantId)) {
      problem('ENTRA_TENANT_ID', 'a tenant id has no spaces');
    }
    if (clientId === undefined) {
      problem('ENTRA_CLIENT_ID', "set it with ENTRA_TENANT_ID: the API's application (client) id");
    } else if (!GUID.test(clientId)) {
      problem(
        'ENTRA_CLIENT_ID',
        `expected the API's application (client) id, a GUID; got "${clientId}"`,
      );
    }
    if (tenantId !== undefined && clientId !== undefined) entra = { tenantId, clientId };
  }

  const redisUrl = value('REDIS_URL');
  if (redisUrl !== undefined && !isUrl(redisUrl, ['redis:', 'rediss:'])) {
    problem('REDIS_URL', 'expected redis://[user:password@]host:port[/db] or rediss://…');
  }

  const accessTokenTtl = duration(
    value('ACCESS_TOKEN_TTL'),
    'ACCESS_TOKEN_TTL',
    SETTINGS_DEFAULTS.accessTokenTtl,
    86400,
    problem,
  );
  const refreshIdleTtl = duration(
    value('REFRESH_IDLE_TTL'),
    'REFRESH_IDLE_TTL',
    SETTINGS_DEFAULTS.refreshIdleTtl,
    undefined,
    problem,
  );
  const refreshAbsoluteTtl = duration(
    value('REFRESH_ABSOLUTE_TTL'),
    'REFRESH_ABSOLUTE_TTL',
    SETTINGS_DEFAULTS.refreshAbsoluteTtl,
    undefined,
    problem,
  );
  if (refreshIdleTtl > refreshAbsoluteTtl) {
    problem(
      'REFRESH_IDLE_TTL',
      `must not be longer than REFRESH_ABSOLUTE_TTL (${formatDuration(refreshAbsoluteTtl)}); ` +
        `got ${formatDuration(refreshIdleTtl)}`,
    );
  }

  const demoPasswordText = read('DEMO_PASSWORD');
  if (demoPasswordText !== undefined && demoPasswordText !== '' && demoPasswordText.length < 8) {
    problem(
      'DEMO_PASSWORD',
      'use at least 8 characters (or leave it unset for the documented default)',
    );
  }
  const loginRateLimit = integer(
    value('LOGIN_RATE_LIMIT'),
    'LOGIN_RATE_LIMIT',
    1,
    100000,
    SETTINGS_DEFAULTS.loginRateLimit,
    problem,
  );

  if (problems.length > 0) throw new SettingsError(problems);
  return {
    port,
    host,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    audience: value('SAMPLE_AUDIENCE') ?? SETTINGS_DEFAULTS.audience,
    outside,
    entra,
    redisUrl,
    accessTokenTtl,
    refreshIdleTtl,
    refreshAbsoluteTtl,
    demoPassword: demoPasswordText ? demoPasswordText : DEFAULT_DEMO_PASSWORD,
    demoPasswordIsDefault: !demoPasswordText,
    loginRateLimit,
  };
}

type Problem = (setting: string, message: string) => void;

function outsideIssuer(
  value: (name: string) => string | undefined,
  problem: Problem,
): OutsideIssuerSettings | undefined {
  const issuer = value('AUTH_ISSUER');
  const audience = value('AUTH_AUDIENCE');
  const jwksUri = value('AUTH_JWKS_URI');
  const authority = value('AUTH_AUTHORITY');
  if ([issuer, audience, jwksUri, authority].every((v) => v === undefined)) return undefined;
  const needed =
    'to trust an outside issuer, set AUTH_ISSUER, AUTH_AUDIENCE and one of AUTH_JWKS_URI or AUTH_AUTHORITY';
  if (issuer === undefined) problem('AUTH_ISSUER', `missing: ${needed}`);
  if (audience === undefined) problem('AUTH_AUDIENCE', `missing: ${needed}`);
  if (jwksUri === undefined && authority === undefined) {
    problem('AUTH_JWKS_URI', `missing (or set AUTH_AUTHORITY): ${needed}`);
  }
  if (jwksUri !== undefined && authority !== undefined) {
    problem('AUTH_AUTHORITY', 'set AUTH_JWKS_URI or AUTH_AUTHORITY, not both');
  }
  const issuers = list(issuer);
  for (const one of issuers) {
    if (!isUrl(one, ['https:', 'http:'])) {
      problem(
        'AUTH_ISSUER',
        `expected the issuer URL(s) exactly as in the tokens' iss (comma-separated); got "${one}"`,
      );
    }
  }
  if (jwksUri !== undefined) httpUrl(jwksUri, 'AUTH_JWKS_URI', problem);
  if (authority !== undefined) httpUrl(authority, 'AUTH_AUTHORITY', problem);
  return {
    issuers,
    audiences: list(audience),
    ...(jwksUri !== undefined ? { jwksUri } : {}),
    ...(authority !== undefined ? { authority } : {}),
  };
}

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function integer(
  text: string | undefined,
  setting: string,
  min: number,
  max: number,
  fallback: number,
  problem: Problem,
): number {
  if (text === undefined) return fallback;
  const number = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(number >= min && number <= max)) {
    problem(setting, `expected a whole number from ${min} to ${max}; got "${text}"`);
    return fallback;
  }
  return number;
}

function duration(
  text: string | undefined,
  setting: string,
  fallback: number,
  max: number | undefined,
  problem: Problem,
): number {
  if (text === undefined) return fallback;
  const seconds = parseDuration(text);
  if (seconds === undefined || seconds < 1) {
    problem(
      setting,
      `expected a number of seconds, or a number with a unit: 90s, 15m, 12h, 14d; got "${text}"`,
    );
    return fallback;
  }
  if (max !== undefined && seconds > max) {
    problem(setting, `must be at most ${formatDuration(max)}; got ${formatDuration(seconds)}`);
    return fallback;
  }
  return seconds;
}

function isUrl(text: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

function httpUrl(text: string, setting: string, problem: Problem, plainOk = false): string {
  if (!isUrl(text, ['https:', 'http:'])) {
    problem(setting, `expected an absolute http(s) URL; got "${text}"`);
    return text;
  }
  if (!plainOk && new URL(text).protocol === 'http:' && !isLoopback(new URL(text).hostname)) {
    problem(setting, `use https (plain http is accepted for localhost only); got "${text}"`);
  }
  return text;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname);
}
