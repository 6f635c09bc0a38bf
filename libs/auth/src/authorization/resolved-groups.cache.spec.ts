import { AuthConfig } from '../auth-config';
import { Clock } from '../clock';
import { ResolvedGroupsCache } from './resolved-groups.cache';

class FakeClock extends Clock {
  time = 1_700_000_000_000;
  override now() {
    return this.time;
  }
}

const config = (groupsCacheTtl?: number) =>
  new AuthConfig({
    issuer: 'https://i.test/',
    audience: 'api://a',
    jwksUri: 'https://i.test/jwks',
    groupsCacheTtl,
  });

describe('ResolvedGroupsCache', () => {
  let clock: FakeClock;
  let cache: ResolvedGroupsCache;
  beforeEach(() => {
    clock = new FakeClock();
    cache = new ResolvedGroupsCache(config(), clock);
  });

  it('keeps groups for groupsCacheTtl (default 300 s), timed by the Clock', () => {
    cache.set('k', ['g1']);
    clock.time += 299_999;
    expect(cache.get('k')).toEqual(['g1']);
    clock.time += 1;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stores a frozen copy', () => {
    const groups = ['g1'];
    cache.set('k', groups);
    groups.push('g2');
    expect(cache.get('k')).toEqual(['g1']);
    expect(Object.isFrozen(cache.get('k'))).toBe(true);
  });

  it('caches nothing when groupsCacheTtl is 0', () => {
    cache = new ResolvedGroupsCache(config(0), clock);
    cache.set('k', ['g1']);
    expect(cache.get('k')).toBeUndefined();
  });

  it('drops the least recently used subject beyond maxEntries', () => {
    class SmallCache extends ResolvedGroupsCache {
      override readonly maxEntries = 2;
    }
    cache = new SmallCache(config(), clock);
    cache.set('a', ['1']);
    cache.set('b', ['2']);
    expect(cache.get('a')).toEqual(['1']); // a is now the most recent
    cache.set('c', ['3']);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual(['1']);
    expect(cache.get('c')).toEqual(['3']);
  });

  it('bounds itself to 10 000 subjects by default', () => {
    expect(cache.maxEntries).toBe(10_000);
    for (let i = 0; i < 10_050; i++) cache.set(`k${i}`, []);
    expect(cache.size).toBe(10_000);
    expect(cache.get('k0')).toBeUndefined();
    expect(cache.get('k10049')).toEqual([]);
  });

  it('getOrLoad loads once, then answers from the cache', async () => {
    const load = jest.fn(async () => ['g1']);
    await expect(cache.getOrLoad('k', load)).resolves.toEqual(['g1']);
    await expect(cache.getOrLoad('k', load)).resolves.toEqual(['g1']);
    expect(load).toHaveBeenCalledTimes(1);
    clock.time += 300_000;
    await cache.getOrLoad('k', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('getOrLoad shares one load between concurrent misses', async () => {
    let release!: (groups: string[]) => void;
    const load = jest.fn(() => new Promise<string[]>((resolve) => (release = resolve)));
    const first = cache.getOrLoad('k', load);
    const second = cache.getOrLoad('k', load);
    await Promise.resolve();
    release(['g1']);
    await expect(Promise.all([first, second])).resolves.toEqual([['g1'], ['g1']]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('getOrLoad never caches a failure, even a synchronous throw', async () => {
    const failing = jest.fn((): Promise<string[]> => {
      throw new Error('graph down');
    });
    await expect(cache.getOrLoad('k', failing)).rejects.toThrow('graph down');
    await expect(cache.getOrLoad('k', failing)).rejects.toThrow('graph down');
    expect(failing).toHaveBeenCalledTimes(2);
    await expect(cache.getOrLoad('k', async () => ['g1'])).resolves.toEqual(['g1']);
  });

  it('delete and clear forget subjects', () => {
    cache.set('a', []);
    cache.set('b', []);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
