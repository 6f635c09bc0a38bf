/**
 * True when an object in `text` (already known to be valid JSON) repeats a member name, compared
 * after unescaping (`"a"` and `"\u0061"` are the same name). One linear pass over the text.
 */
export function hasDuplicateMembers(text: string): boolean {
  // One entry per open container: the names seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = [];
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const names = open[open.length - 1];
      if (expectName && names) {
        const raw = text.slice(i, end + 1);
        const name = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (names.has(name)) return true;
        names.add(name);
      }
      expectName = false;
      i = end;
    } else if (c === '{' || c === '[') {
      open.push(c === '{' ? new Set() : null);
      expectName = c === '{';
    } else if (c === '}' || c === ']') {
      open.pop();
    } else if (c === ',') {
      expectName = !!open[open.length - 1];
    }
  }
  return false;
}
