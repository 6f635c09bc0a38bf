import type { ExecutionContext } from '@nestjs/common';
import { RouteMemo } from './route-memo';

const contextOf = (controller: unknown, handler: unknown) =>
  ({ getClass: () => controller, getHandler: () => handler }) as unknown as ExecutionContext;

describe('RouteMemo', () => {
  class Base {
    list(): void {}
  }
  class Payments extends Base {}
  class Invoices extends Base {}

  it('computes once per route and answers the same value after', () => {
    const compute = jest.fn((context: ExecutionContext) => context.getClass<object>().name);
    const memo = new RouteMemo(compute);
    const context = contextOf(Payments, Payments.prototype.list);
    expect(memo.get(context)).toBe('Payments');
    expect(memo.get(context)).toBe('Payments');
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('keeps an inherited handler apart per controller (class-level decorators differ)', () => {
    const memo = new RouteMemo((context) => context.getClass<object>().name);
    // One function object serves both controllers.
    expect(Payments.prototype.list).toBe(Invoices.prototype.list);
    expect(memo.get(contextOf(Payments, Payments.prototype.list))).toBe('Payments');
    expect(memo.get(contextOf(Invoices, Invoices.prototype.list))).toBe('Invoices');
  });

  it('remembers falsy values too', () => {
    const compute = jest.fn(() => false);
    const memo = new RouteMemo(compute);
    const context = contextOf(Payments, Payments.prototype.list);
    memo.get(context);
    memo.get(context);
    expect(compute).toHaveBeenCalledTimes(1);
  });

  it('computes every time for a context without a class or handler (nothing to key on)', () => {
    const compute = jest.fn(() => 1);
    const memo = new RouteMemo(compute);
    memo.get(contextOf(undefined, undefined));
    memo.get(contextOf(Payments, undefined));
    expect(compute).toHaveBeenCalledTimes(2);
  });
});
