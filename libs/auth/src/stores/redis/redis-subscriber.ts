import { Cluster, Redis, RedisOptions } from 'ioredis';
import type { AuthEvents } from '../../auth-events';
import type { ChannelListener } from './redis-connection';

/** Failed reconnects to one cluster node before the subscriber moves to another node. */
const NODE_ATTEMPTS = 5;

/**
 * The one subscriber connection of a module (K3). On every (re)connect it subscribes to every
 * channel first and only then tells the listeners to resynchronise, so nothing published in
 * between is lost: it either arrives as a message or is found by the resync.
 *
 * A PING every `heartbeatMs` catches a link that died without a TCP reset; the connection is then
 * reopened (and the listeners resynchronise). On a cluster it connects to one node (classic
 * pub/sub messages reach every node) and moves to another node when that one stays unreachable.
 */
export class RedisSubscriber {
  private readonly listeners = new Map<string, Set<ChannelListener>>();
  private connection?: Redis;
  private heartbeat?: NodeJS.Timeout;
  private nodeIndex = 0;
  private closed = false;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly defaults: RedisOptions,
    private readonly heartbeatMs: number,
    private readonly events: AuthEvents,
  ) {}

  /** Adds a listener; the first one opens the connection. */
  listen(channel: string, listener: ChannelListener): void {
    if (this.closed) return;
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    if (!this.connection) this.open();
    else if (this.connection.status === 'ready') void this.subscribeAll(this.connection);
  }

  /** Closes the connection and stops the heartbeat. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    try {
      if (connection.status === 'ready') await connection.quit();
      else connection.disconnect();
    } catch {
      connection.disconnect();
    }
  }

  private open(): void {
    const connection = this.create();
    this.connection = connection;
    connection.on('error', () => undefined); // the command client reports outages
    connection.on('ready', () => void this.subscribeAll(connection));
    connection.on('close', () => {
      if (this.closed || this.connection !== connection) return;
      for (const set of this.listeners.values()) for (const listener of set) listener.lost();
    });
    connection.on('message', (channel: string, payload: string) => {
      for (const listener of this.listeners.get(channel) ?? []) listener.message(payload);
    });
    // A cluster node that stays down: move on to another node.
    connection.on('end', () => {
      if (this.closed || this.connection !== connection) return;
      this.nodeIndex++;
      this.open();
    });
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => void this.ping(), this.heartbeatMs);
    this.heartbeat.unref?.();
  }

  /** A connection of our own: a duplicate of a standalone client, or one to a cluster node. */
  private create(): Redis {
    const overrides: RedisOptions = {
      ...this.defaults,
      // Subscriptions are renewed by `subscribeAll`, which then triggers the resync.
      autoResubscribe: false,
      lazyConnect: false,
      connectionName: 'auth-subscriber',
    };
    if (!(this.client as { isCluster?: boolean }).isCluster) {
      return (this.client as Redis).duplicate(overrides);
    }
    const cluster = this.client as Cluster;
    const nodes = cluster.nodes('all').map((n) => ({ host: n.options.host, port: n.options.port }));
    const candidates = nodes.length ? nodes : startupNodes(cluster);
    const node = candidates[this.nodeIndex % candidates.length];
    return new Redis({
      ...cluster.options.redisOptions,
      ...overrides,
      host: node.host,
      port: node.port,
      retryStrategy: (times) =>
        times > NODE_ATTEMPTS ? null : this.defaults.retryStrategy!(times),
    });
  }

  private async subscribeAll(connection: Redis): Promise<void> {
    const channels = [...this.listeners.keys()];
    try {
      if (channels.length) await connection.subscribe(...channels);
    } catch {
      // Not subscribed: the next reconnect tries again.
      connection.disconnect(true);
      return;
    }
    if (connection !== this.connection) return;
    for (const set of this.listeners.values()) for (const listener of set) listener.subscribed();
  }

  /** Reopens a connection that does not answer a PING in time. */
  private async ping(): Promise<void> {
    const connection = this.connection;
    if (!connection || connection.status !== 'ready') return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('heartbeat timeout')), this.heartbeatMs);
    });
    try {
      await Promise.race([connection.ping(), deadline]);
    } catch {
      if (connection === this.connection && !this.closed) {
        this.events.emit('redis.subscriber_heartbeat_failed', {});
        connection.disconnect(true);
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

function startupNodes(cluster: Cluster): { host?: string; port?: number }[] {
  const nodes = (cluster as unknown as { startupNodes?: { host?: string; port?: number }[] })
    .startupNodes;
  return nodes?.length ? nodes : [{ host: '127.0.0.1', port: 6379 }];
}
