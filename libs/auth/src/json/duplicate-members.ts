/**
 * True when an object in `text` (already known to be valid JSON) repeats a member name, compared
 * after unescaping (`"a"` and `"\u0061"` are the same name).
 *
 * JSON.parse keeps one property per distinct name (the last value wins), so the parsed result has
 * fewer properties than the text has members exactly when some object repeats a name.
 *
 * @param parsed `JSON.parse(text)`, when the caller has it already.
 * @throws SyntaxError when `text` is not JSON (and `parsed` is not given).
 */
export function hasDuplicateMembers(text: string, parsed: unknown = JSON.parse(text)): boolean {
  return countMembers(Buffer.from(text)) !== countProperties(parsed);
}

/**
 * The number of `name: value` members in all objects of `json` (the UTF-8 bytes of valid JSON):
 * a `:` outside a string only ever separates a member's name from its value. Bytes rather than a
 * string because indexing a Uint8Array is about twice as fast as charCodeAt; `"`, `:` and `\`
 * never occur inside a multi-byte UTF-8 sequence.
 */
export function countMembers(json: Uint8Array): number {
  let members = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === 0x3a) members++;
    else if (c === 0x22) {
      // Skip the string, and the character after each backslash (so `\"` does not end it).
      for (i++; i < json.length && json[i] !== 0x22; i++) if (json[i] === 0x5c) i++;
    }
  }
  return members;
}

/** The number of own properties of all objects in a JSON.parse result; no recursion, any depth. */
function countProperties(root: unknown): number {
  let count = 0;
  const pending = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (value === null || typeof value !== 'object') continue;
    const items: unknown[] = Array.isArray(value) ? value : Object.values(value);
    if (items !== value) count += items.length;
    for (const item of items) pending.push(item);
  }
  return count;
}
