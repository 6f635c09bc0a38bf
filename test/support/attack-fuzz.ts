import { challenges } from './attack-expect';
import type { RawAnswer } from './attack-raw';

/**
 * Watches the process during a fuzz run: unhandled rejections (recorded by a listener, so they
 * fail the test instead of being missed) and `Object.prototype`'s own property names.
 */
export function watchProcess(): { assertClean(): void; stop(): void } {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  const names = Object.getOwnPropertyNames(Object.prototype).sort();
  return {
    assertClean() {
      expect(rejections).toEqual([]);
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(names);
      expect(({} as Record<string, unknown>).roles).toBeUndefined();
      expect(({} as Record<string, unknown>).scp).toBeUndefined();
    },
    stop() {
      process.off('unhandledRejection', onRejection);
    },
  };
}

const C = challenges();

/**
 * The only answers a protected route may give, with the right header: 200 (no challenge),
 * 401 ∅ or IT, 400 IR, 403 IS, 503 with Retry-After — never 5xx otherwise. `nodeRejects` allows
 * the bare 400/431 Node's own HTTP parser sends for bytes it refuses.
 */
export function assertAllowedAnswer(res: RawAnswer, nodeRejects = false): void {
  const challenge = res.headers['www-authenticate'];
  switch (res.status) {
    case 200:
      expect(challenge).toBeUndefined();
      return;
    case 401:
      expect([C.none, C.invalidToken]).toContain(challenge);
      return;
    case 400:
      if (nodeRejects && challenge === undefined) return;
      expect(challenge).toMatch(C.invalidRequest);
      return;
    case 403:
      expect(challenge).toMatch(/^Bearer realm="api", error="insufficient_scope", /);
      return;
    case 431:
      expect(nodeRejects).toBe(true);
      return;
    case 503:
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      return;
    default:
      throw new Error(`unexpected answer ${res.status}: ${res.body.slice(0, 200)}`);
  }
}
