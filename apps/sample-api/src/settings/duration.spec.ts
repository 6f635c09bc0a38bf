import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['900', 900],
    ['90s', 90],
    ['15m', 900],
    ['12h', 43200],
    ['14d', 1209600],
    [' 2M ', 120],
    ['0', 0],
  ])('reads %p as %p seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', 'soon', '15 minutes', '1.5h', '-5', '5w', 'm', '1e3', '9'.repeat(20) + 'd'])(
    'refuses %p',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('formatDuration', () => {
  it('names the largest whole unit', () => {
    expect(formatDuration(1209600)).toBe('1209600 s (14d)');
    expect(formatDuration(7200)).toBe('7200 s (2h)');
    expect(formatDuration(90)).toBe('90 s');
    expect(formatDuration(120)).toBe('120 s (2m)');
  });
});
