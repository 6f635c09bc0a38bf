import { Injectable } from '@nestjs/common';

/**
 * The source of time for every check and lifetime in the module (DESIGN V5, RT12).
 * Override it in tests: `Test.createTestingModule(…).overrideProvider(Clock).useValue(fixed)`.
 */
@Injectable()
export class Clock {
  /** Milliseconds since the epoch. */
  now(): number {
    return Date.now();
  }

  /** Whole seconds since the epoch, as JWT `NumericDate` values are. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
