/** One challenge of a `WWW-Authenticate` header (RFC 9110 §11.6.1). */
export interface AuthChallenge {
  /** The auth scheme, lower-cased (`bearer`, `basic`, …). */
  readonly scheme: string;
  /** The auth-params, names lower-cased, quoted values unescaped. */
  readonly params: Readonly<Record<string, string>>;
  /** The token68 form of a challenge (`Negotiate abc==`), when it has one instead of params. */
  readonly token68?: string;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/**
 * Parses a `WWW-Authenticate` header value into its challenges (RFC 9110 §11.6.1): schemes with
 * auth-params (`token` or `quoted-string` values) or a token68. Lenient on whitespace; what it
 * cannot read ends the parse, keeping the challenges read so far.
 *
 * @example
 * parseWwwAuthenticate('Bearer realm="api", error="invalid_token"')
 * // → [{ scheme: 'bearer', params: { realm: 'api', error: 'invalid_token' } }]
 */
export function parseWwwAuthenticate(header: string | null | undefined): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  if (!header) return challenges;
  const text = header;
  let pos = 0;

  const skipSpace = () => {
    while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t')) pos++;
  };
  const skipSeparators = () => {
    while (pos < text.length && /[ \t,]/.test(text[pos])) pos++;
  };
  const readToken = (): string => {
    const start = pos;
    while (pos < text.length && TCHAR.test(text[pos])) pos++;
    return text.slice(start, pos);
  };
  const readQuoted = (): string | undefined => {
    pos++; // the opening quote
    let value = '';
    while (pos < text.length) {
      const char = text[pos++];
      if (char === '"') return value;
      if (char === '\\' && pos < text.length) value += text[pos++];
      else value += char;
    }
    return undefined; // unterminated
  };
  /** Whether a `name =` auth-param starts at the current position (without consuming it). */
  const paramAhead = (): boolean => {
    const saved = pos;
    const name = readToken();
    skipSpace();
    const isParam = name !== '' && text[pos] === '=';
    pos = saved;
    return isParam;
  };

  while (pos < text.length) {
    skipSeparators();
    const scheme = readToken();
    if (scheme === '') break;
    const params: Record<string, string> = {};
    let token68: string | undefined;
    skipSpace();
    if (pos < text.length && text[pos] !== ',' && !paramAhead()) {
      const start = pos;
      while (pos < text.length && TOKEN68_CHAR.test(text[pos])) pos++;
      while (pos < text.length && text[pos] === '=') pos++;
      token68 = text.slice(start, pos) || undefined;
    } else {
      for (;;) {
        skipSeparators();
        if (!paramAhead()) break;
        const name = readToken().toLowerCase();
        skipSpace();
        pos++; // '='
        skipSpace();
        const value = text[pos] === '"' ? readQuoted() : readToken();
        if (value === undefined) {
          challenges.push({ scheme: scheme.toLowerCase(), params });
          return challenges;
        }
        if (!(name in params)) params[name] = value;
      }
    }
    challenges.push({ scheme: scheme.toLowerCase(), params, ...(token68 ? { token68 } : {}) });
  }
  return challenges;
}

/** The `Bearer` challenge of a response (RFC 6750 §3), or undefined when it has none. */
export function bearerChallengeOf(response: {
  headers: { get(name: string): string | null };
}): AuthChallenge | undefined {
  return parseWwwAuthenticate(response.headers.get('www-authenticate')).find(
    (challenge) => challenge.scheme === 'bearer',
  );
}
