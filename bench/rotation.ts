import type { Settings } from './run';

/** Refresh rotations per second on one store. */
export interface StoreRotations {
  rotationsPerSecond: number;
  p50: number;
  p99: number;
}

export interface RotationResult {
  available: boolean;
  reason?: string;
  stores?: Partial<Record<'memory' | 'redis', StoreRotations>>;
}

/** Refresh rotations over `POST /auth/token` on the in-memory and Redis stores. */
export async function measureRotations(
  _settings: Settings,
  _pinned: boolean,
  _errors: string[],
  log: (line: string) => void,
): Promise<RotationResult> {
  log('refresh rotations: not measured yet (issuing and the Redis stores are not finished)');
  return { available: false, reason: 'issuing / Redis stores not finished' };
}
