import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { Clock } from '../clock';
import { TemporarilyUnavailableError } from '../errors/auth.errors';
import { IssuingConfig } from '../issuing/issuing-config';
import { ISSUING_DEFAULTS } from '../issuing/issuing.options';
import { generateSigningKey } from './signing-key.factory';
import { SigningKeyRing } from './signing-key-ring';
import {
  SigningAlgorithm,
  SigningKey,
  SigningKeySource,
  SigningKeyStatus,
} from './signing-key-source';

/**
 * The default `SigningKeySource`: keys generated in memory (RSA-2048, or P-256 for ES256) at
 * start-up, for one instance. Keys die with the process, so tokens signed before a restart fail
 * afterwards (fail closed). For several instances use `PemSigningKeySource` or your own source.
 *
 * `rotate()` publishes a pending key that signs after `keys.prePublish`; with `keys.rotateEvery`
 * rotations start by themselves. The first key signs at once: no verifier has cached anything yet.
 */
@Injectable()
export class InMemorySigningKeySource extends SigningKeySource implements OnModuleInit {
  private readonly ring: SigningKeyRing;
  private readonly algorithm: SigningAlgorithm;
  private readonly prePublishMs: number;
  private readonly rotateEveryMs: number | undefined;
  /** The generation of a key that signs at once, shared by concurrent callers. */
  private generatingActive?: Promise<void>;
  /** The generation of the next pending key (`rotateEvery`). */
  private generatingPending?: Promise<void>;
  /** Generate at start-up only when issuing is configured. */
  private readonly eager: boolean;

  constructor(
    private readonly clock: Clock,
    @Optional() @Inject(IssuingConfig) config?: IssuingConfig | null,
  ) {
    super();
    this.eager = config !== undefined && config !== null;
    this.algorithm = config?.algorithm ?? ISSUING_DEFAULTS.algorithm;
    this.prePublishMs = (config?.prePublish ?? ISSUING_DEFAULTS.keys.prePublish) * 1000;
    this.rotateEveryMs = config?.rotateEvery === undefined ? undefined : config.rotateEvery * 1000;
    this.ring = new SigningKeyRing({
      prePublishMs: this.prePublishMs,
      retireAfterMs: (config?.retireAfter ?? ISSUING_DEFAULTS.keys.retireAfter) * 1000,
    });
  }

  /** Generates the first key at start-up, so the first token does not wait for it. */
  async onModuleInit(): Promise<void> {
    if (this.eager) await this.ensureActive();
  }

  async activeKey(): Promise<SigningKey> {
    await this.ensureActive();
    this.maybeStartRotation();
    const key = this.ring.active(this.clock.now());
    if (!key) throw new TemporarilyUnavailableError('No signing key is available', 1);
    return key;
  }

  async publishedKeys(): Promise<SigningKey[]> {
    await this.ensureActive();
    this.maybeStartRotation();
    return this.ring.published(this.clock.now());
  }

  async status(): Promise<SigningKeyStatus[]> {
    return this.ring.status(this.clock.now());
  }

  async rotate(): Promise<SigningKeyStatus> {
    await this.ensureActive();
    const key = await generateSigningKey(this.algorithm);
    const now = this.clock.now();
    this.ring.add(key, now, now + this.prePublishMs);
    return this.ring.status(now).find((s) => s.kid === key.kid)!;
  }

  async revokeKey(kid: string): Promise<void> {
    if (this.ring.revoke(kid, this.clock.now())) await this.ensureActive();
  }

  /** Makes a key that signs at once when none does; concurrent callers share one generation. */
  private async ensureActive(): Promise<void> {
    if (this.ring.active(this.clock.now())) return;
    this.generatingActive ??= generateSigningKey(this.algorithm)
      .then((key) => {
        const now = this.clock.now();
        if (!this.ring.active(now)) this.ring.add(key, now, now);
      })
      .finally(() => (this.generatingActive = undefined));
    await this.generatingActive;
  }

  /** `keys.rotateEvery`: publish the successor `prePublish` before the active key's time is up. */
  private maybeStartRotation(): void {
    if (this.rotateEveryMs === undefined || this.generatingPending) return;
    const due = this.ring.rotationDue(this.clock.now(), this.rotateEveryMs, this.prePublishMs);
    if (due === undefined) return;
    this.generatingPending = generateSigningKey(this.algorithm)
      .then((key) => {
        const at = this.clock.now();
        this.ring.add(key, at, Math.max(at + this.prePublishMs, due));
      })
      // A failed generation is retried on the next call; the active key keeps signing meanwhile.
      .catch(() => undefined)
      .finally(() => (this.generatingPending = undefined));
  }
}
