// The exception grid's rows, a block at a time: the page asks for the rows on screen and only
// their blocks cross IPC. No React and no DOM here, so the loading rules are tested on their own
// (logic.test.ts) and the grid component stays a view.

/** One answer of the server: the rows of [offset, offset + limit) and how many rows the whole
 * list has (list_exceptions' ExceptionPage). */
export interface Page<T> {
  rows: T[];
  total: number;
}

/** A page as one block: its rows and the row count it implies. The count is the page's total,
 * unless the page ends early (the list shrank between calls): then the list ends there. */
export function blockResult<T>(page: Page<T>, startRow: number, endRow: number): { rows: T[]; lastRow: number } {
  const wanted = Math.max(0, endRow - startRow);
  const rows = page.rows.length > wanted ? page.rows.slice(0, wanted) : page.rows;
  const lastRow = rows.length < wanted ? startRow + rows.length : Math.max(page.total, startRow + rows.length);
  return { rows, lastRow };
}

export interface RowBlocksOptions<T> {
  /** One server call: rows [offset, offset + limit) of the list. */
  fetch: (offset: number, limit: number) => Promise<Page<T>>;
  key: (row: T) => string;
  blockSize: number;
  /** Blocks kept; beyond that the least recently shown go (never one on screen). */
  maxBlocks: number;
  /** Server calls at once. While scrolling fast, blocks the screen has already left by the time a
   * call is free are never asked for. */
  maxInFlight?: number;
  /** A block arrived (`offset` its first row; the total may have changed). */
  loaded?: (offset: number, total: number) => void;
  failed?: (offset: number, error: unknown) => void;
}

interface Block<T> {
  rows: T[];
  /** The refresh generation the rows come from. */
  generation: number;
}

/**
 * The rows of one query (filters and sort), as blocks of `blockSize` rows loaded on demand.
 * A new query is a new RowBlocks; `dispose` makes the old one deaf to late answers.
 *
 * Invariants: a block holds rows from one server answer; a block's rows are only replaced by an
 * answer of the same or a newer generation; at most `maxInFlight` calls of the current
 * generation run at once, and a block is asked for at most once per generation, unless it failed
 * and `refresh` asks again (a failure is shown once, not retried while the screen scrolls).
 */
export class RowBlocks<T> {
  /** The row count, once the first answer came. */
  total: number | null = null;
  private readonly blocks = new Map<number, Block<T>>(); // in order of last use
  private readonly inFlight = new Map<number, number>(); // block → generation asked
  private readonly failedBlocks = new Set<number>();
  private generation = 0;
  private wantFirst = 0;
  private wantLast = 0;
  /** The block after the screen in the direction it last moved, asked for once the screen's
   * own blocks are in, so that scrolling on finds its rows already there. */
  private ahead: number | null = null;
  private dead = false;
  private readonly o: Required<Pick<RowBlocksOptions<T>, "maxInFlight">> & RowBlocksOptions<T>;

  constructor(options: RowBlocksOptions<T>) {
    this.o = { maxInFlight: 2, ...options };
  }

  /** Row `i`, if its block is loaded. */
  row(i: number): T | undefined {
    const b = this.blocks.get(Math.floor(i / this.o.blockSize));
    return b?.rows[i % this.o.blockSize];
  }

  /** Rows `first`..`last` are on screen: their blocks are loaded first, and kept; then the next
   * block in the direction of travel. */
  show(first: number, last: number): void {
    const bs = this.o.blockSize;
    const before = this.wantFirst;
    this.wantFirst = Math.max(0, Math.floor(first / bs));
    this.wantLast = Math.max(this.wantFirst, Math.floor(Math.max(first, last) / bs));
    if (this.wantFirst !== before || this.ahead === null) this.ahead = this.wantFirst < before ? this.wantFirst - 1 : this.wantLast + 1;
    for (let b = this.wantFirst; b <= this.wantLast; b++) {
      const block = this.blocks.get(b);
      if (block) {
        this.blocks.delete(b);
        this.blocks.set(b, block);
      }
    }
    this.pump();
  }

  /** The list changed on the server: the blocks on screen are asked for again (their rows stay
   * until the answers replace them); the others are dropped, to load again when shown. */
  refresh(): void {
    this.generation++;
    this.failedBlocks.clear();
    for (const b of [...this.blocks.keys()]) if (b < this.wantFirst || b > this.wantLast) this.blocks.delete(b);
    this.pump();
  }

  /** Is a block on screen still to come (asked for or waiting its turn)? The block ahead does
   * not count. */
  loading(): boolean {
    for (let b = this.wantFirst; b <= this.wantLast; b++) if (this.inFlight.get(b) === this.generation) return true;
    const next = this.nextWanted();
    return next !== null && next !== this.ahead;
  }

  /** Are the rows `first`..`last` all loaded (from any generation)? */
  has(first: number, last: number): boolean {
    for (let i = first; i <= last; i++) if (this.row(i) === undefined) return false;
    return true;
  }

  /** Replaces loaded rows by key (a decision shown before the refresh); returns those found. */
  replace(rows: readonly T[]): T[] {
    const byKey = new Map(rows.map((r) => [this.o.key(r), r]));
    const done: T[] = [];
    for (const block of this.blocks.values()) {
      for (let i = 0; i < block.rows.length; i++) {
        const next = byKey.get(this.o.key(block.rows[i]!));
        if (next !== undefined) {
          block.rows[i] = next;
          done.push(next);
        }
      }
    }
    return done;
  }

  /** The loaded row with this key and its index, or null. */
  find(key: string): { row: T; index: number } | null {
    for (const [b, block] of this.blocks) {
      const i = block.rows.findIndex((r) => this.o.key(r) === key);
      if (i >= 0) return { row: block.rows[i]!, index: b * this.o.blockSize + i };
    }
    return null;
  }

  /** Every loaded row (any order of blocks). */
  *loadedRows(): Generator<T> {
    for (const block of this.blocks.values()) yield* block.rows;
  }

  /** Blocks held (tests look at them). */
  heldBlocks(): number[] {
    return [...this.blocks.keys()].sort((a, b) => a - b);
  }

  dispose(): void {
    this.dead = true;
  }

  /** The first block on screen that needs asking for in this generation, else the block ahead,
   * or null. */
  private nextWanted(): number | null {
    if (this.total === null) return this.needs(this.wantFirst) ? this.wantFirst : null;
    const blocks = Math.ceil(this.total / this.o.blockSize);
    const last = Math.min(this.wantLast, Math.max(0, blocks - 1));
    for (let b = this.wantFirst; b <= last; b++) if (this.needs(b)) return b;
    const ahead = this.ahead;
    return ahead !== null && ahead >= 0 && ahead < blocks && !this.blocks.has(ahead) && this.needs(ahead) ? ahead : null;
  }

  private needs(b: number): boolean {
    if (this.inFlight.get(b) === this.generation || this.failedBlocks.has(b)) return false;
    const held = this.blocks.get(b);
    return !held || held.generation < this.generation;
  }

  private pump(): void {
    if (this.dead) return;
    while ([...this.inFlight.values()].filter((g) => g === this.generation).length < this.o.maxInFlight) {
      const b = this.nextWanted();
      if (b === null) return;
      this.load(b);
    }
  }

  private load(b: number): void {
    const generation = this.generation;
    const bs = this.o.blockSize;
    this.inFlight.set(b, generation);
    this.o.fetch(b * bs, bs).then(
      (page) => {
        if (this.dead) return;
        if (this.inFlight.get(b) === generation) this.inFlight.delete(b);
        const held = this.blocks.get(b);
        if (held && held.generation > generation) return this.pump();
        const { rows, lastRow } = blockResult(page, b * bs, (b + 1) * bs);
        this.blocks.delete(b);
        this.blocks.set(b, { rows, generation });
        if (generation === this.generation || this.total === null) this.total = lastRow;
        this.evict();
        this.o.loaded?.(b * bs, this.total ?? lastRow);
        this.pump();
      },
      (error: unknown) => {
        if (this.dead) return;
        if (this.inFlight.get(b) === generation) this.inFlight.delete(b);
        if (generation === this.generation) this.failedBlocks.add(b);
        this.o.failed?.(b * bs, error);
        this.pump();
      },
    );
  }

  private evict(): void {
    for (const b of this.blocks.keys()) {
      if (this.blocks.size <= this.o.maxBlocks) return;
      if (b < this.wantFirst || b > this.wantLast) this.blocks.delete(b);
    }
  }
}

/** A click or Space on row `i`: selects it, or deselects it when it was selected; with `range`
 * (Shift), every loaded row from `anchor` to `i` follows it. Rows not loaded are passed over.
 * Returns the new anchor. */
export function toggleRows<T>(selection: Map<string, T>, row: (i: number) => T | undefined, key: (r: T) => string, anchor: number | null, i: number, range: boolean): number | null {
  const target = row(i);
  if (!target) return anchor;
  const on = !selection.has(key(target));
  const [from, to] = range && anchor !== null ? [Math.min(anchor, i), Math.max(anchor, i)] : [i, i];
  for (let k = from; k <= to; k++) {
    const r = row(k);
    if (!r) continue;
    if (on) selection.set(key(r), r);
    else selection.delete(key(r));
  }
  return i;
}
