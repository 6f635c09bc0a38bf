/** Messages between the bench runner (parent) and a bench app (child), over Node's IPC channel. */

/** The apps of the main comparison. */
export type MainVariant =
  /** AuthModule with the validation cache (the default configuration). */
  | 'cached'
  /** AuthModule with `validationCache: false`. */
  | 'uncached'
  /** The usual recipe: stock `AuthGuard('jwt')`, passport-jwt and `jwksRsa.passportJwtSecret`. */
  | 'recipe';

/** Which app a child process runs. */
export type Variant =
  | MainVariant
  /** AuthModule issuing its own tokens, in-memory stores. */
  | 'rotation-memory'
  /** AuthModule issuing its own tokens, Redis stores. */
  | 'rotation-redis';

/** What every child sends once it listens. */
export interface Ready {
  type: 'ready';
  port: number;
  /** `iss` and `aud` of the TestIssuer's tokens (validation apps only). */
  issuer?: string;
  audience?: string;
}

/** A command from the parent; the child answers `{ id, result }` or `{ id, error }`. */
export type Command =
  | { cmd: 'mint'; count: number }
  | { cmd: 'prepareKey'; kid: string }
  | { cmd: 'publishPrepared' }
  | { cmd: 'cpu' }
  | { cmd: 'fetchCount' }
  | { cmd: 'resetFetchCount' }
  | { cmd: 'signatures'; ms: number }
  | { cmd: 'refreshTokens'; count: number }
  | { cmd: 'grants'; chains: number; ms: number }
  | { cmd: 'stop' };

export interface Request {
  id: number;
  command: Command;
}

export interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

/** The cost of one RS256 signature (and one verification), measured in the child. */
export interface SignatureCost {
  signaturesPerSecond: number;
  microsPerSignature: number;
  verificationsPerSecond: number;
  microsPerVerification: number;
}

/** Refresh grants run inside a rotation app, without HTTP: the module's own cost of a rotation. */
export interface InProcessGrants {
  rotationsPerSecond: number;
  /** Process CPU per rotation, µs. */
  cpuMicros: number;
  /** Chains that broke (a rotation refused): must be 0. */
  failures: number;
  /** Why the first one broke. */
  firstError?: string;
}
