// Internal: checks what a decorator was given, so a mistake fails at start-up (STYLE 13), not as a
// route that silently admits nobody — or everybody.

/** Which names a decorator takes: scope tokens are stricter than role and group names. */
export type NameKind = 'scope' | 'role' | 'group';

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * Checks the names given to `decorator` and returns them deduplicated and frozen.
 *
 * @throws TypeError when the list is empty, a name is not a string, is empty, has leading or
 *   trailing whitespace or control characters, or — for scopes — is not an RFC 6749 scope token.
 */
export function checkNames(
  decorator: string,
  kind: NameKind,
  names: unknown[],
  field?: string,
): readonly string[] {
  if (names.length === 0) {
    throw new TypeError(
      `${decorator}() needs at least one ${kind} name, e.g. ${example(decorator, kind)}`,
    );
  }
  names.forEach((name, index) => {
    const where = field
      ? `${decorator}(): ${field}[${index}]`
      : `${decorator}(): argument ${index + 1}`;
    checkName(decorator, kind, name, where, field === undefined);
  });
  return Object.freeze([...new Set(names as string[])]);
}

/** One list an options decorator takes: its key, and the kind of names it holds. */
export interface NameListField {
  readonly key: string;
  readonly kind: NameKind;
}

/**
 * Checks the options object of `@ScopesOrAppPermissions` or `@AnyOf`: an object with no other
 * keys than `fields`', each list given as a non-empty array of good names (see `checkNames`).
 * With `required`, every list must be given; without, at least one, and the others are empty.
 *
 * @param example the options of a correct call, for the messages: `{ scopes: ['Data.Read'] }`.
 * @returns every field's names, deduplicated and frozen (an absent optional list: `[]`).
 * @throws TypeError naming the decorator, the field and a correct call.
 */
export function checkNameLists(
  decorator: string,
  options: unknown,
  fields: readonly NameListField[],
  { required, example: sample }: { required: boolean; example: string },
): Record<string, readonly string[]> {
  const usage = `e.g. ${decorator}(${sample})`;
  const keys = fields.map((field) => field.key);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const shape = keys.map((key) => (required ? key : `${key}?`)).join(', ');
    throw new TypeError(`${decorator}() takes { ${shape} }, ${usage}`);
  }
  const unknown = Object.keys(options).filter((key) => !keys.includes(key));
  if (unknown.length > 0) {
    throw new TypeError(
      `${decorator}(): unknown option ${unknown.map((k) => JSON.stringify(k)).join(', ')}; ` +
        `it takes ${wordList(keys, 'and')}, ${usage}`,
    );
  }
  const given = options as Record<string, unknown>;
  if (!required && fields.every(({ key }) => given[key] === undefined)) {
    throw new TypeError(`${decorator}() needs at least one of ${wordList(keys, 'or')}, ${usage}`);
  }
  const lists: Record<string, readonly string[]> = {};
  for (const { key, kind } of fields) {
    const value = given[key];
    if (value === undefined && !required) {
      lists[key] = Object.freeze([]);
    } else if (!Array.isArray(value) || value.length === 0) {
      throw new TypeError(`${decorator}(): ${key} must be a non-empty array of names, ${usage}`);
    } else {
      lists[key] = checkNames(decorator, kind, value, key);
    }
  }
  return lists;
}

function checkName(
  decorator: string,
  kind: NameKind,
  name: unknown,
  where: string,
  variadic: boolean,
): void {
  if (Array.isArray(name) && variadic) {
    throw new TypeError(
      `${where} is an array; pass ${kind} names as separate arguments, e.g. ` +
        `${example(decorator, kind)}, or spread the array: ${decorator}(...names)`,
    );
  }
  if (typeof name !== 'string') {
    throw new TypeError(`${where} must be a ${kind} name (a string), got ${describe(name)}`);
  }
  if (name.length === 0) throw new TypeError(`${where} is an empty string; give a ${kind} name`);
  if (kind === 'scope' && /\s/.test(name)) {
    throw new TypeError(
      `${where} ${JSON.stringify(name)} contains whitespace; a scope is one token (RFC 6749 §3.3). ` +
        (variadic
          ? `To name several scopes pass them as separate arguments: ${decorator}('A', 'B')`
          : 'List several scopes as separate array items'),
    );
  }
  if (kind === 'scope' && !SCOPE_TOKEN.test(name)) {
    throw new TypeError(
      `${where} ${JSON.stringify(name)} is not a scope token: use printable ASCII without ` +
        'spaces, quotes or backslashes (RFC 6749 §3.3)',
    );
  }
  if (name.trim() !== name) {
    throw new TypeError(
      `${where} ${JSON.stringify(name)} has leading or trailing whitespace; names match exactly`,
    );
  }
  if (CONTROL.test(name)) {
    throw new TypeError(`${where} ${JSON.stringify(name)} contains control characters`);
  }
}

function example(decorator: string, kind: NameKind): string {
  const samples: Record<NameKind, string> = {
    scope: "'Payments.Read'",
    role: "'Payments.Approver'",
    group: "'<group object id>'",
  };
  return `${decorator}(${samples[kind]})`;
}

/** `a`, `a and b`, `a, b and c`. */
function wordList(words: readonly string[], conjunction: 'and' | 'or'): string {
  return words.length < 2
    ? words.join('')
    : `${words.slice(0, -1).join(', ')} ${conjunction} ${words[words.length - 1]}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value;
}
