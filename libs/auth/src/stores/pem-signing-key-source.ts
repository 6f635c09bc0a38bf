import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../clock';
import { TemporarilyUnavailableError } from '../errors/auth.errors';
import { IssuingConfig } from '../issuing/issuing-config';
import type { PemSigningKeyOptions } from '../issuing/issuing.options';
import { signingKeyFromPem } from './signing-key.factory';
import { SigningKeyRing } from './signing-key-ring';
import { SigningKey, SigningKeySource, SigningKeyStatus } from './signing-key-source';

/** The environment variable read when `issuing.signingKeys` is not given. */
export const SIGNING_KEY_ENV = 'AUTH_SIGNING_KEY';

/**
 * Signing keys from configuration, for real deployments: every instance is given the same PEM
 * keys and activation times, so all agree on the schedule without talking to each other (RT23).
 * Keys come from `issuing.signingKeys`, else from the `AUTH_SIGNING_KEY` environment variable
 * (one PEM; `\n` escapes are understood). Each PEM is parsed once at start-up.
 *
 * Rotation is by configuration: add a key with `activeFrom` ≥ now + `keys.prePublish`, deploy,
 * and delete the old key from the list once it has been retired for `keys.retireAfter`.
 * `revokeKey` works on this instance only; remove the key from the configuration as well.
 */
@Injectable()
export class PemSigningKeySource extends SigningKeySource {
  private readonly ring: SigningKeyRing;

  /** @throws TypeError at start-up when no key is configured or a PEM is unusable. */
  constructor(
    private readonly clock: Clock,
    @Inject(IssuingConfig) config: IssuingConfig,
  ) {
    super();
    this.ring = new SigningKeyRing({
      prePublishMs: config.prePublish * 1000,
      retireAfterMs: config.retireAfter * 1000,
    });
    const configured = config.signingKeys ?? fromEnv();
    configured.forEach((entry, i) => {
      const key = signingKeyFromPem(entry.privateKey, `issuing.signingKeys[${i}].privateKey`);
      const activatesAt = (entry.activeFrom ?? 0) * 1000;
      // A scheduled key is published `prePublish` before it signs (RT23), not earlier.
      this.ring.add(key, Math.max(0, activatesAt - config.prePublish * 1000), activatesAt);
    });
  }

  async activeKey(): Promise<SigningKey> {
    const key = this.ring.active(this.clock.now());
    if (!key) throw new TemporarilyUnavailableError('No signing key is available', 60);
    return key;
  }

  async publishedKeys(): Promise<SigningKey[]> {
    return this.ring.published(this.clock.now());
  }

  async status(): Promise<SigningKeyStatus[]> {
    return this.ring.status(this.clock.now());
  }

  /** @throws Error: PEM keys rotate by configuration (see the class comment). */
  async rotate(): Promise<SigningKeyStatus> {
    throw new Error(
      'PemSigningKeySource: add a key with `activeFrom` to `issuing.signingKeys` to rotate.',
    );
  }

  async revokeKey(kid: string): Promise<void> {
    this.ring.revoke(kid, this.clock.now());
  }
}

function fromEnv(): PemSigningKeyOptions[] {
  const pem = process.env[SIGNING_KEY_ENV];
  if (!pem) {
    throw new TypeError(
      `AuthModule: invalid option \`issuing.signingKeys\`: give PEM keys, or set ${SIGNING_KEY_ENV}.`,
    );
  }
  return [{ privateKey: pem.replace(/\\n/g, '\n') }];
}
