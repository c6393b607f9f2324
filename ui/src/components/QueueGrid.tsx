// The exception queue's grid: a virtualized list of fixed-height rows over a row count, reading
// each row on demand (`row(i)`, undefined while its block loads). React renders the header and
// the frame; the rows are a small pool of DOM nodes the grid fills itself on every scroll event,
// reusing the nodes and touching only what changed, so a scrolled frame costs a few dozen text
// updates. This is what keeps scrolling at 60 frames a second where the webview paints on the CPU
// (no GPU: virtual desktops, Xvfb); AG Grid created and destroyed its ~20-node rows per frame
// there and dropped frames (BENCHMARKS.md, session 7).
//
// Rows carry `row-index` and `row-id`, cells `col-id`, like AG Grid's, so tests find them the
// same way. Keyboard: arrows, Page Up/Down, Home/End move the focus; Space selects (Shift+Space
// a range); Enter opens; Ctrl+A asks the screen to select all. Mouse: click focuses, the checkbox
// or Ctrl+click selects (any click with `clickSelects`), Shift+click a range, double-click opens.
import { forwardRef, useCallback, useEffect, useImperativeHandle, useLayoutEffect, useRef, type ForwardedRef, type ReactElement } from "react";

export interface GridColumn<T> {
  id: string;
  header: string;
  /** Width in px; a `grow` column takes the room the others leave (at least its width). */
  width: number;
  grow?: boolean;
  align?: "right";
  /** Classes every cell of the column has. */
  className?: string;
  text: (row: T) => string;
  /** Classes that depend on the row. */
  cellClass?: (row: T) => string;
  /** The cell's text as its tooltip too (long descriptions). */
  tooltip?: boolean;
  sortable?: boolean;
  headerTooltip?: string;
}

export interface GridSort {
  colId: string;
  dir: "asc" | "desc";
}

export interface QueueGridHandle {
  /** Rows changed without a new render (a block arrived, a decision was applied). */
  repaint(): void;
  scrollToTop(): void;
}

export interface QueueGridProps<T> {
  columns: readonly GridColumn<T>[];
  rowCount: number;
  row: (i: number) => T | undefined;
  rowKey: (row: T) => string;
  rowClass?: (row: T) => string;
  isSelected: (key: string) => boolean;
  focusedIndex: number | null;
  sort: GridSort | null;
  rowHeight?: number;
  /** Rows `first`..`last` are on screen (called on every paint). */
  onRange?: (first: number, last: number) => void;
  onHeaderClick?: (colId: string) => void;
  onFocusRow?: (i: number) => void;
  /** Select or deselect a row; `range` (Shift): everything from the last toggled row to it. */
  onToggleRow?: (i: number, range: boolean) => void;
  onOpenRow?: (i: number) => void;
  /** Ctrl+A (⌘A) in the grid. */
  onSelectAll?: () => void;
  /** A plain click selects too (Manual match), not only the checkbox or Ctrl+click. */
  clickSelects?: boolean;
  empty?: string;
  testid?: string;
  label?: string;
}

const CHECK_WIDTH = 34;
const MIN_COLUMN_WIDTH = 40;

interface PoolRow<T> {
  el: HTMLDivElement;
  check: HTMLInputElement;
  cells: HTMLSpanElement[];
  index: number;
  data: T | undefined;
  cls: string;
}

/** Column widths for a viewport `width` px wide: grow columns share what is left. */
export function columnWidths(columns: readonly { width: number; grow?: boolean }[], width: number): number[] {
  const fixed = columns.reduce((s, c) => s + c.width, CHECK_WIDTH);
  const growers = columns.filter((c) => c.grow).length;
  const spare = Math.max(0, width - fixed);
  return columns.map((c) => (c.grow && growers ? c.width + Math.floor(spare / growers) : c.width));
}

/** The rows a viewport shows: first and last index, or null when none. */
export function visibleRange(scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number): [number, number] | null {
  if (rowCount <= 0 || viewportHeight <= 0) return null;
  const first = Math.min(rowCount - 1, Math.max(0, Math.floor(scrollTop / rowHeight)));
  const last = Math.min(rowCount - 1, Math.max(first, Math.floor((scrollTop + viewportHeight - 1) / rowHeight)));
  return [first, last];
}

function QueueGridInner<T>(props: QueueGridProps<T>, ref: ForwardedRef<QueueGridHandle>) {
  const rowHeight = props.rowHeight ?? 28;
  const viewport = useRef<HTMLDivElement>(null);
  const sizer = useRef<HTMLDivElement>(null);
  const header = useRef<HTMLDivElement>(null);
  const pool = useRef<PoolRow<T>[]>([]);
  const widths = useRef<number[]>([]);
  // Widths the user dragged, by column id (they replace the column's own width).
  const dragged = useRef(new Map<string, number>());
  // A drag that ends over the header cell ends with a click there, which must not sort.
  const resizing = useRef(false);
  // The latest props, for the scroll handler and the handle (they outlive a render).
  const p = useRef(props);
  p.current = props;

  const applyWidths = useCallback(() => {
    const vp = viewport.current;
    if (!vp) return;
    const w = columnWidths(
      p.current.columns.map((c) => ({ ...c, width: dragged.current.get(c.id) ?? c.width })),
      vp.clientWidth,
    );
    const total = w.reduce((s, x) => s + x, CHECK_WIDTH);
    if (w.length === widths.current.length && w.every((x, i) => x === widths.current[i])) return;
    widths.current = w;
    if (sizer.current) sizer.current.style.width = `${total}px`;
    const heads = header.current?.querySelectorAll<HTMLElement>(".grid-header-cell[col-id]") ?? [];
    heads.forEach((h, i) => (h.style.width = `${w[i]}px`));
    if (header.current) (header.current.firstElementChild as HTMLElement | null)?.style.setProperty("width", `${total}px`);
    for (const r of pool.current) {
      r.el.style.width = `${total}px`;
      r.cells.forEach((c, i) => (c.style.width = `${w[i]}px`));
    }
  }, []);

  const newRow = useCallback((): PoolRow<T> => {
    const el = document.createElement("div");
    el.setAttribute("role", "row");
    const check = document.createElement("input");
    check.type = "checkbox";
    check.tabIndex = -1;
    check.className = "grid-check";
    check.setAttribute("aria-label", "Select row");
    const box = document.createElement("span");
    box.className = "grid-cell grid-check-cell";
    box.appendChild(check);
    el.appendChild(box);
    const total = widths.current.reduce((s, x) => s + x, CHECK_WIDTH);
    el.style.width = `${total}px`;
    const cells = p.current.columns.map((c, i) => {
      const s = document.createElement("span");
      s.setAttribute("role", "gridcell");
      s.setAttribute("col-id", c.id);
      s.style.width = `${widths.current[i] ?? c.width}px`;
      el.appendChild(s);
      return s;
    });
    sizer.current!.appendChild(el);
    return { el, check, cells, index: -1, data: undefined, cls: "" };
  }, []);

  /** Fills the pool for the current scroll position. Touches a node only where it changed. */
  const paint = useCallback(() => {
    const vp = viewport.current;
    if (!vp || !sizer.current) return;
    const { columns, rowCount, row, rowKey, rowClass, isSelected, focusedIndex, onRange } = p.current;
    const range = visibleRange(vp.scrollTop, vp.clientHeight, rowHeight, rowCount);
    const count = range ? range[1] - range[0] + 1 : 0;
    while (pool.current.length < count) pool.current.push(newRow());
    for (let k = 0; k < pool.current.length; k++) {
      const r = pool.current[k]!;
      if (k >= count) {
        if (r.index !== -1) {
          r.el.style.display = "none";
          r.index = -1;
          r.data = undefined;
        }
        continue;
      }
      const index = range![0] + k;
      const data = row(index);
      const key = data === undefined ? "" : rowKey(data);
      const selected = data !== undefined && isSelected(key);
      const cls = `grid-row${data === undefined ? " row-loading" : ""}${index === focusedIndex ? " focused" : ""}${selected ? " selected" : ""}${data !== undefined && rowClass ? ` ${rowClass(data)}` : ""}`;
      if (r.index === -1) r.el.style.display = "";
      if (r.index !== index) {
        r.el.style.transform = `translateY(${index * rowHeight}px)`;
        r.el.setAttribute("row-index", String(index));
        r.el.setAttribute("aria-rowindex", String(index + 2));
      }
      if (r.cls !== cls) {
        r.el.className = cls;
        r.cls = cls;
      }
      if (r.check.checked !== selected) r.check.checked = selected;
      if (r.check.disabled !== (data === undefined)) r.check.disabled = data === undefined;
      if (r.data !== data || r.index !== index) {
        if (data === undefined) r.el.removeAttribute("row-id");
        else r.el.setAttribute("row-id", key);
        for (let c = 0; c < columns.length; c++) {
          const col = columns[c]!;
          const cell = r.cells[c]!;
          const text = data === undefined ? "" : col.text(data);
          if (cell.textContent !== text) cell.textContent = text;
          const cellCls = `grid-cell${col.align === "right" ? " right" : ""}${col.className ? ` ${col.className}` : ""}${data !== undefined && col.cellClass ? ` ${col.cellClass(data)}` : ""}`;
          if (cell.className !== cellCls) cell.className = cellCls;
          if (col.tooltip) cell.title = text;
        }
        r.data = data;
      }
      r.index = index;
    }
    if (range) onRange?.(range[0], range[1]);
  }, [newRow, rowHeight]);

  useImperativeHandle(ref, () => ({
    repaint: paint,
    scrollToTop: () => {
      if (viewport.current) viewport.current.scrollTop = 0;
      paint();
    },
  }));

  // Every render may change the rows, the focus or the selection.
  useLayoutEffect(() => {
    applyWidths();
    paint();
  });

  useEffect(() => {
    const vp = viewport.current;
    if (!vp) return;
    const onScroll = () => {
      if (header.current) header.current.scrollLeft = vp.scrollLeft;
      paint();
    };
    vp.addEventListener("scroll", onScroll, { passive: true });
    const ro = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(() => {
      applyWidths();
      paint();
    });
    ro?.observe(vp);
    return () => {
      vp.removeEventListener("scroll", onScroll);
      ro?.disconnect();
    };
  }, [applyWidths, paint]);

  /** Keeps row `i` in view (keyboard moves). */
  const reveal = (i: number) => {
    const vp = viewport.current;
    if (!vp) return;
    const top = i * rowHeight;
    if (top < vp.scrollTop) vp.scrollTop = top;
    else if (top + rowHeight > vp.scrollTop + vp.clientHeight) vp.scrollTop = top + rowHeight - vp.clientHeight;
  };

  const indexOf = (target: EventTarget | null): number | null => {
    const el = (target as HTMLElement | null)?.closest?.("[row-index]");
    if (!el) return null;
    const i = Number(el.getAttribute("row-index"));
    return Number.isFinite(i) ? i : null;
  };

  const onClick = (e: React.MouseEvent) => {
    const i = indexOf(e.target);
    if (i === null) return;
    const onCheck = (e.target as HTMLElement).classList.contains("grid-check");
    if (onCheck || e.ctrlKey || e.metaKey || e.shiftKey || props.clickSelects) {
      if (onCheck) e.preventDefault(); // the grid sets `checked` from the selection
      props.onToggleRow?.(i, e.shiftKey);
    }
    props.onFocusRow?.(i);
    viewport.current?.focus({ preventScroll: true });
  };

  const onDoubleClick = (e: React.MouseEvent) => {
    const i = indexOf(e.target);
    if (i !== null && !(e.target as HTMLElement).classList.contains("grid-check")) props.onOpenRow?.(i);
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "a" && props.onSelectAll) {
      e.preventDefault();
      props.onSelectAll();
      return;
    }
    const n = props.rowCount;
    if (n === 0) return;
    const cur = props.focusedIndex ?? -1;
    const page = Math.max(1, Math.floor((viewport.current?.clientHeight ?? rowHeight) / rowHeight) - 1);
    let next: number | null = null;
    switch (e.key) {
      case "ArrowDown":
        next = Math.min(n - 1, cur + 1);
        break;
      case "ArrowUp":
        next = Math.max(0, cur - 1);
        break;
      case "PageDown":
        next = Math.min(n - 1, cur + page);
        break;
      case "PageUp":
        next = Math.max(0, cur - page);
        break;
      case "Home":
        next = 0;
        break;
      case "End":
        next = n - 1;
        break;
      case " ":
        if (cur >= 0) {
          e.preventDefault();
          props.onToggleRow?.(cur, e.shiftKey);
        }
        return;
      case "Enter":
        // Ctrl+Enter belongs to the screen (Manual match: confirm).
        if (cur >= 0 && !e.ctrlKey && !e.metaKey) {
          e.preventDefault();
          props.onOpenRow?.(cur);
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    reveal(next);
    props.onFocusRow?.(next);
  };

  /** Dragging a header cell's right edge resizes its column (the grow column gives or takes the
   * difference); a double-click there restores it. */
  const startResize = (e: React.MouseEvent, colId: string, index: number) => {
    e.preventDefault();
    e.stopPropagation();
    resizing.current = true;
    const x0 = e.clientX;
    // The column's own width (a grow column's minimum: it also takes the room left over).
    const own0 = dragged.current.get(colId) ?? p.current.columns[index]!.width;
    const move = (m: MouseEvent) => {
      dragged.current.set(colId, Math.max(MIN_COLUMN_WIDTH, Math.round(own0 + m.clientX - x0)));
      applyWidths();
      paint();
    };
    const up = () => {
      window.removeEventListener("mousemove", move);
      window.removeEventListener("mouseup", up);
      setTimeout(() => (resizing.current = false), 0);
    };
    window.addEventListener("mousemove", move);
    window.addEventListener("mouseup", up);
  };
  const resetWidth = (e: React.MouseEvent, colId: string) => {
    e.stopPropagation();
    dragged.current.delete(colId);
    applyWidths();
    paint();
  };

  const { columns, sort } = props;
  return (
    <div className="queue-grid" data-testid={props.testid}>
      <div className="grid-header" ref={header} role="presentation">
        <div className="grid-header-row" role="row">
          <span className="grid-header-cell grid-check-cell" />
          {columns.map((c, i) => {
            const sorted = sort && sort.colId === c.id ? sort.dir : null;
            return (
              <span
                key={c.id}
                role="columnheader"
                col-id={c.id}
                className={`grid-header-cell${c.align === "right" ? " right" : ""}${c.sortable ? " sortable" : ""}`}
                title={c.headerTooltip ?? (c.sortable ? `Sort by ${c.header}` : undefined)}
                aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                onClick={c.sortable ? () => !resizing.current && props.onHeaderClick?.(c.id) : undefined}
              >
                {c.header}
                {sorted && <span className="sort-mark">{sorted === "asc" ? " ▲" : " ▼"}</span>}
                <span
                  className="col-resize"
                  title="Drag to resize; double-click to restore"
                  onMouseDown={(e) => startResize(e, c.id, i)}
                  onDoubleClick={(e) => resetWidth(e, c.id)}
                  onClick={(e) => e.stopPropagation()}
                />
              </span>
            );
          })}
        </div>
      </div>
      <div
        className="grid-viewport"
        ref={viewport}
        tabIndex={0}
        role="grid"
        aria-label={props.label}
        aria-rowcount={props.rowCount + 1}
        aria-multiselectable
        onClick={onClick}
        onDoubleClick={onDoubleClick}
        onKeyDown={onKeyDown}
      >
        <div className="grid-sizer" ref={sizer} style={{ height: props.rowCount * rowHeight }} />
        {props.rowCount === 0 && props.empty && <div className="grid-empty muted">{props.empty}</div>}
      </div>
    </div>
  );
}

export const QueueGrid = forwardRef(QueueGridInner) as <T>(props: QueueGridProps<T> & { ref?: ForwardedRef<QueueGridHandle> }) => ReactElement;
