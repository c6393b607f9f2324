// The rows behind a QueueGrid over list_exceptions, shared by the Exceptions screen and Manual
// match's two sides: a RowBlocks per query (filters and sort), refreshed after every change, and a
// selection kept by row key with Shift ranges.
import { useCallback, useEffect, useRef, useState } from "react";
import type { ExceptionRow } from "../bindings/ExceptionRow";
import type { QueueGridHandle } from "../components/QueueGrid";
import { BLOCK_SIZE, buildExceptionQuery, MAX_BLOCKS, rowKey, type ExceptionFilters } from "../logic/exceptions";
import { RowBlocks, toggleRows, type Page } from "../logic/rowBlocks";
import { useApp } from "../state/app";

export interface QueueRowsOptions<T> {
  filters: ExceptionFilters;
  /** New filters clear the selection (the exception queue) or keep it (Manual match). */
  keepSelection?: boolean;
  /** A new query went out (new filters or sort). */
  onQuery?: () => void;
  /** A block arrived; `count` is the row count. Runs before the grid repaints. */
  onLoaded?: (blocks: RowBlocks<T>, count: number) => void;
  /** The blocks on screen are all in (or failed); `refreshed` when that ends a refresh. */
  onSettled?: (refreshed: boolean) => void;
}

export function useQueueRows<T extends ExceptionRow>(o: QueueRowsOptions<T>) {
  const { backend, version, showError } = useApp();
  const [total, setTotal] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [selected, setSelected] = useState<T[]>([]);
  const blocks = useRef<RowBlocks<T> | null>(null);
  const grid = useRef<QueueGridHandle>(null);
  const selection = useRef(new Map<string, T>());
  const anchor = useRef<number | null>(null);
  const visible = useRef<[number, number]>([0, 0]);
  const refreshing = useRef(false);
  // The latest callbacks, for the blocks' events (they outlive a render).
  const cb = useRef(o);
  cb.current = o;

  /** Publishes the selection map as `selected` (the same array when nothing changed). */
  const syncSelection = useCallback(() => {
    const next = [...selection.current.values()];
    setSelected((prev) => (prev.length === next.length && prev.every((r, i) => r === next[i]) ? prev : next));
    grid.current?.repaint();
  }, []);

  const { filters, keepSelection } = o;
  useEffect(() => {
    cb.current.onQuery?.();
    setLoading(true);
    const settle = () => {
      if (b.loading()) return;
      setLoading(false);
      const refreshed = refreshing.current;
      refreshing.current = false;
      cb.current.onSettled?.(refreshed);
    };
    const b: RowBlocks<T> = new RowBlocks<T>({
      fetch: (offset, limit) => backend.listExceptions(buildExceptionQuery(filters, offset, limit)) as Promise<Page<T>>,
      key: rowKey,
      blockSize: BLOCK_SIZE,
      maxBlocks: MAX_BLOCKS,
      loaded: (_offset, count) => {
        if (blocks.current !== b) return;
        setTotal(count);
        cb.current.onLoaded?.(b, count);
        grid.current?.repaint();
        settle();
      },
      failed: (_offset, e) => {
        if (blocks.current !== b) return;
        showError(e);
        settle();
      },
    });
    blocks.current?.dispose();
    blocks.current = b;
    anchor.current = null;
    if (!keepSelection) {
      selection.current.clear();
      syncSelection();
    }
    setTotal(null);
    visible.current = [0, 0];
    grid.current?.scrollToTop();
    b.show(0, 0);
    return () => b.dispose();
  }, [backend, filters, keepSelection, showError, syncSelection]);

  // After a change (a decision or a match, here or elsewhere) the blocks on screen are asked for
  // again; their rows stay until the new ones replace them.
  const shownVersion = useRef(version);
  useEffect(() => {
    if (!blocks.current || shownVersion.current === version) return;
    shownVersion.current = version;
    refreshing.current = true;
    setLoading(true);
    blocks.current.refresh();
  }, [version]);

  const onRange = useCallback((first: number, last: number) => {
    visible.current = [first, last];
    blocks.current?.show(first, last);
  }, []);

  const toggleRow = useCallback(
    (i: number, range: boolean) => {
      const b = blocks.current;
      if (!b) return;
      anchor.current = toggleRows(selection.current, (k) => b.row(k), rowKey, anchor.current, i, range);
      syncSelection();
    },
    [syncSelection],
  );

  const clearSelection = useCallback(() => {
    selection.current.clear();
    anchor.current = null;
    syncSelection();
  }, [syncSelection]);

  const rowAt = useCallback((i: number) => blocks.current?.row(i), []);
  const isSelected = useCallback((key: string) => selection.current.has(key), []);

  return { blocks, grid, total, loading, selected, selection, visible, syncSelection, toggleRow, clearSelection, onRange, rowAt, isSelected };
}
