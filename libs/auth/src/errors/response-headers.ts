/**
 * Sets a header on an Express or Fastify response. Nest's default exception handler keeps headers
 * already set on the response, so guards set challenges here before throwing.
 */
export function setResponseHeaders(response: unknown, headers: Record<string, string>): void {
  const res = response as {
    setHeader?: (n: string, v: string) => void;
    header?: (n: string, v: string) => void;
    headersSent?: boolean;
    sent?: boolean;
  } | null;
  if (!res || res.headersSent || res.sent) return;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof res.setHeader === 'function') res.setHeader(name, value);
    else if (typeof res.header === 'function') res.header(name, value);
  }
}
