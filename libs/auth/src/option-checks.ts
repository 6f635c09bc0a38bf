// Internal: what every start-up check of the module's options shares.

/** A string with something in it besides whitespace. */
export function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

/** Refuses the options at start-up, naming the field and how to fix it. */
export function fail(field: string, fix: string): never {
  throw new TypeError(`AuthModule: invalid option \`${field}\`: ${fix}.`);
}
