import { Agent, request } from 'node:http';

/** What a paced run saw. */
export interface PacedResult {
  sent: number;
  statuses: Record<string, number>;
  seconds: number;
}

/**
 * Sends one GET per token at a steady rate (autocannon's own rate limit releases a second's worth
 * at once), over a few keep-alive sockets, and waits for every answer.
 */
export async function paced(
  port: number,
  path: string,
  tokens: readonly string[],
  perSecond: number,
): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const statuses: Record<string, number> = {};
  const answers: Promise<void>[] = [];
  const started = Date.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(tokens.length, Math.floor(((Date.now() - started) / 1000) * perSecond));
      for (; sent < due; sent++) {
        answers.push(
          get(agent, port, path, tokens[sent]).then((status) => {
            statuses[status] = (statuses[status] ?? 0) + 1;
          }),
        );
      }
      if (sent >= tokens.length) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await Promise.all(answers);
  agent.destroy();
  return { sent, statuses, seconds: (Date.now() - started) / 1000 };
}

/**
 * Sends `token` every `everyMs` until it gets a 200 or `timeoutMs` passes.
 * @returns ms from the call to the first 200, or undefined on time-out.
 */
export async function untilAccepted(
  port: number,
  path: string,
  token: string,
  everyMs: number,
  timeoutMs: number,
): Promise<number | undefined> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const started = Date.now();
  try {
    while (Date.now() - started < timeoutMs) {
      if ((await get(agent, port, path, token)) === 200) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
    return undefined;
  } finally {
    agent.destroy();
  }
}

function get(agent: Agent, port: number, path: string, token: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { agent, host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end();
  });
}
