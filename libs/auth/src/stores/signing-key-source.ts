import type { KeyObject } from 'node:crypto';

/** JWS algorithms the module signs with (DESIGN R1): RS256 by default, ES256 optionally. */
export type SigningAlgorithm = 'RS256' | 'ES256';

/**
 * Where a signing key is in its life (RT23, RT24):
 * - `pending`: published in the JWKS, not signing yet (until `prePublish` has passed, so every
 *   verifier's cached key set holds it before the first token it signs appears);
 * - `active`: the one key that signs;
 * - `retired`: no longer signs, still published until every token it signed has expired;
 * - `removed`: gone from the JWKS; tokens it signed fail (`revokeKey` jumps straight here).
 */
export type SigningKeyState = 'pending' | 'active' | 'retired' | 'removed';

/**
 * The public JWK of a signing key, exactly as `GET /.well-known/jwks.json` serves it (RT25):
 * `kty n e kid alg use` for RSA, `kty crv x y kid alg use` for EC. Never a private member.
 */
export interface PublicSigningJwk {
  readonly kty: 'RSA' | 'EC';
  /** RFC 7638 thumbprint (SHA-256, base64url) of the public key (RT22). */
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly use: 'sig';
  readonly n?: string;
  readonly e?: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
}

/** A signing key, parsed once: the `KeyObject`s are reused for every token. */
export interface SigningKey {
  /** RFC 7638 thumbprint of the public key; the `kid` header of every token it signs. */
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public JWK, public members only. */
  readonly jwk: PublicSigningJwk;
}

/** Where one key is in its schedule (epoch ms). For operators and tests. */
export interface SigningKeyStatus {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly state: SigningKeyState;
  /** When it was first published. */
  readonly publishedAt: number;
  /** When it starts (or started) signing. */
  readonly activatesAt: number;
  /** When a successor took over, if one did. */
  readonly retiredAt?: number;
  /** When it leaves (or left) the JWKS, if known. */
  readonly removesAt?: number;
}

/** The JWKS document. */
export interface PublicJwks {
  readonly keys: PublicSigningJwk[];
}

/** The JWK members that may ever be published (RT25); anything else is dropped. */
const PUBLIC_MEMBERS = ['kty', 'kid', 'alg', 'use', 'n', 'e', 'crv', 'x', 'y'] as const;

/**
 * The API's signing keys (DESIGN R1, S1; RT22–RT25). Used as its own injection token: override
 * with `{ provide: SigningKeySource, useClass: MyKeySource }` (e.g. keys from a KMS or shared
 * storage, so that all instances agree). Defaults: `InMemorySigningKeySource` (RSA-2048 generated
 * at start-up) or `PemSigningKeySource` when `issuing.signingKeys` is given.
 *
 * Contract:
 * - exactly one key is `active` whenever signing is possible;
 * - a key is published (`pending`) at least `prePublish` before it signs (RT23);
 * - a retired key stays published at least `accessTokenTtl + clockTolerance + JWKS max-age` (RT24);
 * - `revokeKey` removes a key at once (after a compromise);
 * - time comes from `Clock`, so tests move through the schedule by overriding it.
 */
export abstract class SigningKeySource {
  /**
   * The key that signs now.
   * @throws TemporarilyUnavailableError when no key can sign (e.g. the only key was revoked); the
   *   module then answers 503 and issues nothing (DESIGN E7).
   */
  abstract activeKey(): Promise<SigningKey>;

  /** Every key in the JWKS now: pending, active and retired (RT25), newest first. */
  abstract publishedKeys(): Promise<SigningKey[]>;

  /** The schedule of every key still known, removed ones included. */
  abstract status(): Promise<SigningKeyStatus[]>;

  /**
   * Starts a rotation: adds a `pending` key that activates after `prePublish`, when the current
   * active key retires (RT23). Returns its status.
   * @throws Error when this source cannot make keys (e.g. PEM keys come from configuration).
   */
  abstract rotate(): Promise<SigningKeyStatus>;

  /**
   * Removes the key from the JWKS at once (RT24), after a compromise. If it was the active key,
   * the source promotes a pending key at once, or makes a new one where it can.
   */
  abstract revokeKey(kid: string): Promise<void>;

  /**
   * The JWKS as `GET /.well-known/jwks.json` serves it and the module's own validation reads it:
   * `{ keys: [...] }` with public members only (RT25), whatever a subclass's JWKs carry.
   */
  async publicJwks(): Promise<PublicJwks> {
    const keys = await this.publishedKeys();
    return { keys: keys.map((key) => publicMembersOnly(key.jwk)) };
  }
}

/** Copies only the members that may be published (RT25). */
export function publicMembersOnly(jwk: PublicSigningJwk): PublicSigningJwk {
  const out: Record<string, unknown> = {};
  for (const member of PUBLIC_MEMBERS) if (jwk[member] !== undefined) out[member] = jwk[member];
  return out as unknown as PublicSigningJwk;
}
