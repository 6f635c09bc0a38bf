import type { ExecutionContext } from '@nestjs/common';

/**
 * Remembers one value per route — a (controller class, handler) pair — computed from its
 * decorators the first time the route is hit. Decorator metadata is fixed once the app is built,
 * and reading it through `Reflector` costs several µs per request (`npm run bench`), a sizable
 * part of what a cached authentication costs.
 *
 * Keyed by class, then handler: one handler function can serve several controllers (a method
 * inherited from a base controller) with different class-level decorators.
 */
export class RouteMemo<T> {
  private readonly byClass = new WeakMap<object, WeakMap<object, T>>();

  constructor(private readonly compute: (context: ExecutionContext) => T) {}

  /** The route's value, computed once. */
  get(context: ExecutionContext): T {
    const controller: unknown = context.getClass();
    const handler: unknown = context.getHandler();
    // A hand-made context without a class or handler: nothing to key on, so no memo.
    if (typeof controller !== 'function' || typeof handler !== 'function') {
      return this.compute(context);
    }
    let byHandler = this.byClass.get(controller);
    if (!byHandler) {
      byHandler = new WeakMap();
      this.byClass.set(controller, byHandler);
    }
    if (byHandler.has(handler)) return byHandler.get(handler) as T;
    const value = this.compute(context);
    byHandler.set(handler, value);
    return value;
  }
}
