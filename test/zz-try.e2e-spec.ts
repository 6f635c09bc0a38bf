import { Cluster } from 'ioredis';
import { startRedisCluster } from './support/redis-cluster';
it('cluster', async () => {
  const t = Date.now();
  const c = await startRedisCluster();
  console.log('cluster up in', Date.now() - t);
  const cl = new Cluster(c.nodes);
  await cl.set('a', '1'); console.log(await cl.get('a'));
  await cl.eval("return redis.call('GET', KEYS[1])", 1, 'a').then(console.log);
  await cl.quit();
  await c.stop();
  console.log('total', Date.now() - t);
}, 30000);
