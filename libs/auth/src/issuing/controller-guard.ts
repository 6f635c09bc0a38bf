import type { IssuingConfig } from './issuing-config';

/**
 * Fails start-up when the issuing routes are mounted but `issuing` is not configured
 * (`forRootAsync({ mountTokenEndpoints: true })` with options that lack it).
 */
export function assertIssuingConfigured(
  config: IssuingConfig | null | undefined,
): asserts config is IssuingConfig {
  if (!config) {
    throw new TypeError(
      'AuthModule: invalid option `issuing`: the token endpoints are mounted (mountTokenEndpoints: true) but `issuing` is not configured.',
    );
  }
}
