/** Timing marks for the desktop speed benchmark (tests/e2e/bench.mjs reads
 * `window.__reconMarks`): the epoch milliseconds of a few named moments, the latest of each, and
 * a few counts. A handful of writes per user action, so they stay on in every build. */

type Marks = Record<string, number>;

function marks(): Marks {
  const w = window as unknown as { __reconMarks?: Marks };
  w.__reconMarks ??= {};
  return w.__reconMarks;
}

/** Records `name` now. */
export function mark(name: string, value: number = performance.timeOrigin + performance.now()): void {
  marks()[name] = value;
}

/** Records `name` once the next frame has been painted (a timer queued from the frame callback
 * runs after that frame's paint). */
export function markAfterPaint(name: string): void {
  requestAnimationFrame(() => setTimeout(() => mark(name), 0));
}
