import { TemporarilyUnavailableError } from '../errors/auth.errors';

/** Seconds a client is asked to wait after a store failure. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Runs one store call with a deadline (RT18, DESIGN E7): a rejection or a timeout becomes a
 * `TemporarilyUnavailableError` (503 with `Retry-After`), so nothing is issued on a guess. The
 * store's own error message is not passed on: it might quote a key.
 */
export async function storeCall<T>(call: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('store timeout')), timeoutMs);
    timer.unref?.();
  });
  try {
    return await Promise.race([Promise.resolve().then(call), deadline]);
  } catch (error) {
    if (error instanceof TemporarilyUnavailableError) throw error;
    throw new TemporarilyUnavailableError(
      'The token store is temporarily unavailable',
      RETRY_AFTER_SECONDS,
    );
  } finally {
    clearTimeout(timer);
  }
}
