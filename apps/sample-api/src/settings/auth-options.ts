import type { AuthModuleOptions } from '@app/auth';
import { SAMPLE_CLIENT_ID, SCOPES } from '../sample.constants';
import type { SampleSettings } from './sample-settings';

/** Seconds the module allows between clocks; its default, repeated here for the key schedule. */
const CLOCK_TOLERANCE = 60;

/**
 * The `AuthModule` options for the sample's settings: it always issues its own tokens (signing
 * keys generated at start-up, in-memory or Redis stores), and trusts an outside issuer and the
 * Entra preset beside them when configured.
 */
export function authOptionsFor(settings: SampleSettings): AuthModuleOptions {
  const options: AuthModuleOptions = {
    clockTolerance: CLOCK_TOLERANCE,
    issuing: {
      issuer: settings.publicUrl,
      audience: settings.audience,
      accessTokenTtl: settings.accessTokenTtl,
      refreshIdleTtl: settings.refreshIdleTtl,
      refreshAbsoluteTtl: settings.refreshAbsoluteTtl,
      defaultClientId: SAMPLE_CLIENT_ID,
      scopes: [SCOPES.read, SCOPES.write],
      // A retired key stays published while tokens it signed can still be valid (RT24).
      keys: { retireAfter: Math.max(86400, settings.accessTokenTtl + CLOCK_TOLERANCE + 600) },
    },
  };
  if (settings.outside) {
    options.providers = [
      {
        name: 'outside',
        issuer: [...settings.outside.issuers],
        audience: [...settings.outside.audiences],
        ...(settings.outside.jwksUri ? { jwksUri: settings.outside.jwksUri } : {}),
        ...(settings.outside.authority ? { authority: settings.outside.authority } : {}),
      },
    ];
  }
  if (settings.entra) options.entra = { ...settings.entra };
  if (settings.redisUrl) options.stores = { redis: { url: settings.redisUrl } };
  return options;
}
