import * as net from 'node:net';

/** A parsed raw HTTP/1.1 answer. `status` is 0 when the server closed without answering. */
export interface RawAnswer {
  status: number;
  /** Lower-cased header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: string;
  ms: number;
}

/**
 * Sends bytes exactly as given (any header bytes, folded lines, bare LF, latin1) and reads the
 * answer until the server closes. Rejects after `timeoutMs`, so a hang fails the test.
 */
export function rawExchange(baseUrl: string, bytes: Buffer, timeoutMs = 5000): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(port), hostname, () => socket.write(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve(parseAnswer(Buffer.concat(chunks).toString('latin1'), performance.now() - started));
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', done); // a reset after (or instead of) the answer
    socket.on('close', done);
  });
}

/** A GET of `path` with the given header lines (each sent as-is, CRLF-terminated). */
export function rawGet(
  baseUrl: string,
  path: string,
  headerLines: (string | Buffer)[],
  timeoutMs?: number,
): Promise<RawAnswer> {
  const { hostname } = new URL(baseUrl);
  const lines: Buffer[] = [
    Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\n`, 'latin1'),
    ...headerLines.map((line) =>
      Buffer.concat([typeof line === 'string' ? Buffer.from(line, 'latin1') : line, CRLF]),
    ),
    Buffer.from('Connection: close\r\n\r\n', 'latin1'),
  ];
  return rawExchange(baseUrl, Buffer.concat(lines), timeoutMs);
}

const CRLF = Buffer.from('\r\n', 'latin1');

function parseAnswer(text: string, ms: number): RawAnswer {
  const end = text.indexOf('\r\n\r\n');
  if (!text.startsWith('HTTP/1.1 ') || end < 0) return { status: 0, headers: {}, body: '', ms };
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4), ms };
}

/** A request of any method with a body (Content-Length is set from it). */
export function rawSend(
  baseUrl: string,
  method: string,
  path: string,
  headerLines: string[],
  body: Buffer,
  timeoutMs?: number,
): Promise<RawAnswer> {
  const { hostname } = new URL(baseUrl);
  const head = [
    `${method} ${path} HTTP/1.1`,
    `Host: ${hostname}`,
    ...headerLines,
    `Content-Length: ${body.length}`,
    'Connection: close',
    '',
    '',
  ].join('\r\n');
  return rawExchange(baseUrl, Buffer.concat([Buffer.from(head, 'latin1'), body]), timeoutMs);
}
