import type { AuthModuleOptions, TokenProviderOptions } from './auth.options';
import { fail, nonEmpty } from './option-checks';

const FORBIDDEN_ALGORITHMS = /^(none|HS\d+)$/i;
const SUPPORTED_ALGORITHMS = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
]);

/**
 * Checks the options once at start-up and throws a `TypeError` that names the field and the fix
 * (STYLE 6). Nothing here ever relaxes verification.
 */
export function validateOptions(options: AuthModuleOptions): void {
  if (!options || typeof options !== 'object') fail('options', 'pass an options object');
  const inline =
    options.issuer !== undefined ||
    options.jwksUri !== undefined ||
    options.authority !== undefined;
  if (!inline && !options.entra && !options.providers?.length && !options.issuing) {
    fail(
      'issuer',
      'configure `issuer` + `audience` + `jwksUri` (or `authority`), `entra`, `providers`, or `issuing`',
    );
  }
  if (inline) checkProvider(options as TokenProviderOptions, '');
  options.providers?.forEach((p, i) => checkProvider(p, `providers[${i}].`));
  if (options.entra) {
    if (!nonEmpty(options.entra.tenantId))
      fail('entra.tenantId', 'give your tenant id (or "common"/"organizations")');
    if (!nonEmpty(options.entra.clientId))
      fail('entra.clientId', "give the API's application (client) id");
  }
  if (options.algorithms) checkAlgorithms(options.algorithms, 'algorithms');
  positive(options.clockTolerance, 'clockTolerance', true);
  positive(options.maxTokenLifetime, 'maxTokenLifetime');
  positive(options.maxTokenLength, 'maxTokenLength');
  positive(options.groupsCacheTtl, 'groupsCacheTtl', true);
  if (options.clockTolerance !== undefined && options.clockTolerance > 300) {
    fail('clockTolerance', 'use at most 300 seconds');
  }
  for (const [key, value] of Object.entries(options.jwks ?? {})) positive(value, `jwks.${key}`);
  if (options.validationCache) {
    positive(options.validationCache.maxAge, 'validationCache.maxAge');
    positive(options.validationCache.maxEntries, 'validationCache.maxEntries');
  }
}

function checkProvider(p: TokenProviderOptions, prefix: string): void {
  const issuers = Array.isArray(p.issuer) ? p.issuer : [p.issuer];
  if (!issuers.length || !issuers.every(nonEmpty))
    fail(`${prefix}issuer`, 'give the exact `iss` value(s) to accept');
  const audiences = Array.isArray(p.audience) ? p.audience : [p.audience];
  if (!audiences.length || !audiences.every(nonEmpty)) {
    fail(`${prefix}audience`, 'give the `aud` value(s) this API accepts; audience is required');
  }
  const sources = [p.jwksUri, p.authority, p.jwksLoader].filter((s) => s !== undefined);
  if (sources.length !== 1)
    fail(`${prefix}jwksUri`, 'give exactly one of `jwksUri`, `authority` or `jwksLoader`');
  if (p.jwksUri !== undefined) checkUrl(p.jwksUri, `${prefix}jwksUri`);
  if (p.authority !== undefined) checkUrl(p.authority, `${prefix}authority`);
  if (p.jwksLoader !== undefined && typeof p.jwksLoader !== 'function')
    fail(`${prefix}jwksLoader`, 'pass a function');
  if (p.algorithms) checkAlgorithms(p.algorithms, `${prefix}algorithms`);
  if (p.allowedTenants && (!Array.isArray(p.allowedTenants) || !p.allowedTenants.every(nonEmpty))) {
    fail(`${prefix}allowedTenants`, 'pass an array of tenant ids');
  }
}

function checkAlgorithms(algorithms: string[], field: string): void {
  if (!Array.isArray(algorithms) || algorithms.length === 0)
    fail(field, 'list at least one algorithm, e.g. ["RS256"]');
  for (const alg of algorithms) {
    if (FORBIDDEN_ALGORITHMS.test(alg))
      fail(field, `"${alg}" is never allowed for tokens verified with public keys`);
    if (!SUPPORTED_ALGORITHMS.has(alg))
      fail(field, `"${alg}" is not supported; use RS*, PS* or ES*`);
  }
}

function checkUrl(value: string, field: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(field, 'give an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail(field, 'use an https URL');
}

function positive(value: unknown, field: string, zeroAllowed = false): void {
  if (value === undefined) return;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (!zeroAllowed && value === 0)
  ) {
    fail(field, `use a ${zeroAllowed ? 'non-negative' : 'positive'} number`);
  }
}
