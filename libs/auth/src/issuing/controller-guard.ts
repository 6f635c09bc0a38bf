import { PATH_METADATA } from '@nestjs/common/constants';
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

/**
 * Fails start-up when a controller is mounted under another prefix than `issuing.routePrefix`:
 * with `forRootAsync` the routes are registered before the options are known, at `/auth`.
 */
export function assertMountedPrefix(controller: object, config: IssuingConfig): void {
  const mounted = Reflect.getMetadata(PATH_METADATA, controller.constructor) as string | undefined;
  if (mounted !== undefined && mounted !== config.routePrefix) {
    throw new TypeError(
      `AuthModule: invalid option \`issuing.routePrefix\`: the routes are mounted at /${mounted} (forRootAsync mounts them at the default); use forRoot() for another prefix.`,
    );
  }
}
