import { ChildProcess, execFileSync, fork } from 'node:child_process';
import { join } from 'node:path';
import type { Command, Ready, Reply, Variant } from './ipc';

/** How bench apps are started. */
export interface StartOptions {
  variant: Variant;
  /** Unknown-kid refetch cooldown of the module's apps, in seconds. */
  cooldown: number;
  /** The core to pin the app to (the runner takes another), or undefined for no pinning. */
  core?: number;
  /** Extra `node` flags, e.g. `--cpu-prof`. */
  execArgv?: string[];
  /** Redis URL of the `rotation-redis` app. */
  redisUrl?: string;
}

/** A bench app running in a child process, driven over IPC. */
export class BenchApp {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();

  private constructor(
    readonly variant: Variant,
    readonly ready: Ready,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: Reply) => {
      this.pending.get(message.id)?.(message);
      this.pending.delete(message.id);
    });
  }

  /** Forks `server.js` and waits until it listens. */
  static async start(options: StartOptions): Promise<BenchApp> {
    const child = fork(
      join(__dirname, 'server.js'),
      [options.variant, String(options.cooldown), ...(options.redisUrl ? [options.redisUrl] : [])],
      {
        execArgv: options.execArgv ?? [],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    const ready = await new Promise<Ready>((resolve, reject) => {
      child.once('message', (message: Ready) => resolve(message));
      child.once('exit', (code) =>
        reject(new Error(`bench app ${options.variant} exited (${code})`)),
      );
    });
    if (options.core !== undefined) pin(child.pid!, options.core);
    return new BenchApp(options.variant, ready, child);
  }

  get port(): number {
    return this.ready.port;
  }

  /** Sends a command and waits for its answer. */
  call<T>(command: Command): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, (reply) =>
        reply.error === undefined ? resolve(reply.result as T) : reject(new Error(reply.error)),
      );
      this.child.send({ id, command });
    });
  }

  /** Closes the app and waits for the process to exit (so a CPU profile gets written). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.call({ cmd: 'stop' }).catch(() => this.child.kill());
    await exited;
  }
}

/** True when `taskset` can pin processes to cores here. */
export function canPin(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pins a process (all its threads) to one core. */
export function pin(pid: number, core: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
}
