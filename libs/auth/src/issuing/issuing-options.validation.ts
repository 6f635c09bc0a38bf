import { ISSUING_DEFAULTS, IssuingOptions } from './issuing.options';
import { fail, nonEmpty } from '../option-checks';

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Checks the issuing options once at start-up and throws a `TypeError` naming the field and the
 * fix (STYLE 6). `clockTolerance` is the module's, needed for the retire window (RT24).
 */
export function validateIssuingOptions(options: IssuingOptions, clockTolerance: number): void {
  if (!options || typeof options !== 'object') fail('issuing', 'pass an object');
  if (!nonEmpty(options.issuer))
    fail('issuing.issuer', 'give the `iss` of the tokens this API issues');
  const audiences = Array.isArray(options.audience) ? options.audience : [options.audience];
  if (!audiences.length || !audiences.every(nonEmpty)) {
    fail('issuing.audience', 'give the `aud` value(s) of the tokens this API issues');
  }
  seconds(options.accessTokenTtl, 'issuing.accessTokenTtl', 1, 86400);
  seconds(options.refreshIdleTtl, 'issuing.refreshIdleTtl', 1);
  seconds(options.refreshAbsoluteTtl, 'issuing.refreshAbsoluteTtl', 1);
  seconds(options.graceSeconds, 'issuing.graceSeconds', 0, ISSUING_DEFAULTS.maxGraceSeconds);
  seconds(options.maxFamiliesPerSubject, 'issuing.maxFamiliesPerSubject', 1);
  seconds(options.storeTimeoutMs, 'issuing.storeTimeoutMs', 1);
  if (options.routePrefix !== undefined) checkPrefix(options.routePrefix);
  if (options.baseUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(options.baseUrl)) {
    fail('issuing.baseUrl', 'give an absolute http(s) URL');
  }
  if (
    options.algorithm !== undefined &&
    options.algorithm !== 'RS256' &&
    options.algorithm !== 'ES256'
  ) {
    fail('issuing.algorithm', 'use "RS256" or "ES256"');
  }
  if (options.cookie !== undefined && typeof options.cookie !== 'boolean') {
    if (typeof options.cookie !== 'object' || options.cookie === null)
      fail('issuing.cookie', 'pass true or an object');
    const { name, path } = options.cookie;
    if (name !== undefined && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
      fail('issuing.cookie.name', 'use a cookie token (letters, digits, -_.)');
    }
    if (path !== undefined && !/^\/[\x21-\x3a\x3c-\x7e]*$/.test(path)) {
      fail('issuing.cookie.path', 'use a path starting with "/"');
    }
  }
  if (options.defaultClientId !== undefined && !nonEmpty(options.defaultClientId)) {
    fail('issuing.defaultClientId', 'give a non-empty client id');
  }
  if (options.scopes !== undefined) {
    if (
      !Array.isArray(options.scopes) ||
      !options.scopes.every((s) => typeof s === 'string' && SCOPE_TOKEN.test(s))
    ) {
      fail('issuing.scopes', 'list scope names without spaces or quotes');
    }
  }
  options.clients?.forEach((client, i) => {
    if (!nonEmpty(client?.clientId)) fail(`issuing.clients[${i}].clientId`, 'give the client id');
    if (!nonEmpty(client.clientSecret) || client.clientSecret.length < 16) {
      fail(`issuing.clients[${i}].clientSecret`, 'use a secret of at least 16 characters');
    }
  });
  checkKeys(options, clockTolerance);
  const idle = options.refreshIdleTtl ?? ISSUING_DEFAULTS.refreshIdleTtl;
  const absolute = options.refreshAbsoluteTtl ?? ISSUING_DEFAULTS.refreshAbsoluteTtl;
  if (idle > absolute) fail('issuing.refreshIdleTtl', 'use at most `refreshAbsoluteTtl`');
}

function checkKeys(options: IssuingOptions, clockTolerance: number): void {
  const keys = options.keys ?? {};
  seconds(keys.prePublish, 'issuing.keys.prePublish', ISSUING_DEFAULTS.jwksMaxAge);
  seconds(keys.rotateEvery, 'issuing.keys.rotateEvery', 1);
  const ttl = options.accessTokenTtl ?? ISSUING_DEFAULTS.accessTokenTtl;
  const minRetire = ttl + clockTolerance + ISSUING_DEFAULTS.jwksMaxAge;
  if (keys.retireAfter !== undefined) {
    seconds(keys.retireAfter, 'issuing.keys.retireAfter', minRetire);
  } else if (ISSUING_DEFAULTS.keys.retireAfter < minRetire) {
    fail(
      'issuing.keys.retireAfter',
      `set it to at least ${minRetire} (accessTokenTtl + clockTolerance + 600)`,
    );
  }
  const prePublish = keys.prePublish ?? ISSUING_DEFAULTS.keys.prePublish;
  if (keys.rotateEvery !== undefined && keys.rotateEvery <= prePublish) {
    fail('issuing.keys.rotateEvery', 'use more than `keys.prePublish`');
  }
  if (options.signingKeys !== undefined) {
    if (!Array.isArray(options.signingKeys) || options.signingKeys.length === 0) {
      fail(
        'issuing.signingKeys',
        'list at least one PEM key, or leave it out to generate keys in memory',
      );
    }
    options.signingKeys.forEach((key, i) => {
      if (!nonEmpty(key?.privateKey) || !key.privateKey.includes('PRIVATE KEY')) {
        fail(`issuing.signingKeys[${i}].privateKey`, 'give a PEM private key');
      }
      if (i > 0 && key.activeFrom === undefined) {
        fail(
          `issuing.signingKeys[${i}].activeFrom`,
          'give every key after the first an activation time (epoch s)',
        );
      }
      if (
        key.activeFrom !== undefined &&
        (!Number.isFinite(key.activeFrom) || key.activeFrom < 0)
      ) {
        fail(`issuing.signingKeys[${i}].activeFrom`, 'use epoch seconds');
      }
    });
  }
}

function checkPrefix(prefix: unknown): void {
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(prefix)) {
    fail('issuing.routePrefix', 'use path segments without leading or trailing "/", e.g. "auth"');
  }
}

function seconds(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    fail(field, `use a whole number ${range}`);
  }
}
