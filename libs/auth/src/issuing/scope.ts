import { SCOPE_TOKEN } from './issuing-options.validation';

/**
 * Splits a space-separated scope (RFC 6749 §3.3) into distinct names, in order. Returns undefined
 * when a name is not a valid scope-token.
 */
export function parseScope(scope: string | readonly string[]): string[] | undefined {
  const names = typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [...scope];
  if (!names.every((s) => typeof s === 'string' && SCOPE_TOKEN.test(s))) return undefined;
  return [...new Set(names)];
}

/** True when every requested name is in the granted scope (RT4: narrowing only). */
export function isSubset(requested: readonly string[], granted: string): boolean {
  const have = new Set(granted.split(' '));
  return requested.every((s) => have.has(s));
}
