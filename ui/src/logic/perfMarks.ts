/** Timing marks for the desktop speed benchmark (tests/e2e/bench.mjs reads
 * `window.__reconMarks`): the epoch milliseconds of a few named moments, the latest of each, and
 * a few counts. A handful of writes per user action, so they stay on in every build.
 *
 * The exception grid's: exceptions-requested (a new query or sort), exceptions-first-block (its
 * first block and the total received), exceptions-first-rows (those rows painted),
 * exceptions-open (the grid knows every row and the rows on screen are painted; the other blocks
 * load as they scroll into view), exceptions-rows (a count: the latest total),
 * exceptions-refreshed (after a change, the blocks on screen reloaded and painted).
 * A decision's: decision-start, decision-stored, decision-grid-applied (the loaded rows show it),
 * decision-grid-updated (painted). Manual match's: manual-open (both sides' first rows painted). */

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

/** One IPC call as the page saw it: the command, when it was sent and when its answer arrived
 * (epoch ms). The benchmark prints them around a slow moment to show what waited on what. */
export interface CallSpan {
  cmd: string;
  start: number;
  end: number;
}

const CALLS_KEPT = 500;

/** Records an IPC call in `window.__reconCalls` (the latest CALLS_KEPT). */
export function recordCall(cmd: string, start: number, end: number): void {
  const w = window as unknown as { __reconCalls?: CallSpan[] };
  const calls = (w.__reconCalls ??= []);
  calls.push({ cmd, start, end });
  if (calls.length > CALLS_KEPT) calls.splice(0, calls.length - CALLS_KEPT);
}
