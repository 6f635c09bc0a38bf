const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Reads a duration setting: a whole number of seconds (`900`), or a whole number with a unit —
 * `90s`, `15m`, `12h`, `14d`.
 *
 * @returns the seconds, or undefined when the text is not such a duration.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)\s*([smhd]?)$/i.exec(text.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNITS[(match[2] || 's').toLowerCase()];
  return Number.isSafeInteger(seconds) ? seconds : undefined;
}

/** A duration for messages: `900 s (15m)`. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds} s (${seconds / size}${unit})`;
  }
  return `${seconds} s`;
}
