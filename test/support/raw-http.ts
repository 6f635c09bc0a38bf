import * as net from 'node:net';

/** Sends a hand-written HTTP/1.1 request, so headers can repeat or be malformed on purpose. */
export function rawRequest(
  baseUrl: string,
  path: string,
  headerLines: string[],
): Promise<{ status: number; head: string; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(
        [
          `GET ${path} HTTP/1.1`,
          `Host: ${hostname}`,
          ...headerLines,
          'Connection: close',
          '',
          '',
        ].join('\r\n'),
      );
    });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (data += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), head, body: rest.join('\r\n\r\n') });
    });
  });
}
