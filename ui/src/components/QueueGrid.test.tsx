import { act, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { gridViewportSize } from "../test/layout";
import { columnWidths, QueueGrid, visibleRange, type GridColumn } from "./QueueGrid";

interface Row {
  id: string;
  n: number;
}

// 280 px: 10 rows of 28 px.
gridViewportSize(280);

const COLUMNS: GridColumn<Row>[] = [
  { id: "id", header: "Id", width: 80, text: (r) => r.id },
  { id: "n", header: "N", width: 60, align: "right", text: (r) => String(r.n), cellClass: (r) => (r.n < 0 ? "neg" : ""), sortable: true },
];

/** A grid over `count` rows, of which the ones in `missing` are not loaded; focus and selection
 * kept the way the Exceptions screen keeps them. */
function Harness(props: { count: number; missing?: Set<number>; onOpen?: (i: number) => void; onRange?: (a: number, b: number) => void }) {
  const [focused, setFocused] = useState<number | null>(null);
  const [selected, setSelected] = useState(new Set<string>());
  const [anchor, setAnchor] = useState<number | null>(null);
  const row = (i: number): Row | undefined => (props.missing?.has(i) ? undefined : { id: `R${i}`, n: i % 2 ? -i : i });
  const toggle = (i: number, range: boolean) => {
    const next = new Set(selected);
    const on = !next.has(`R${i}`);
    const [a, b] = range && anchor !== null ? [Math.min(anchor, i), Math.max(anchor, i)] : [i, i];
    for (let k = a; k <= b; k++) {
      if (on) next.add(`R${k}`);
      else next.delete(`R${k}`);
    }
    setSelected(next);
    setAnchor(i);
  };
  return (
    <>
      <QueueGrid<Row>
        columns={COLUMNS}
        rowCount={props.count}
        row={row}
        rowKey={(r) => r.id}
        isSelected={(k) => selected.has(k)}
        focusedIndex={focused}
        sort={{ colId: "n", dir: "desc" }}
        onFocusRow={setFocused}
        onToggleRow={toggle}
        onOpenRow={props.onOpen}
        onRange={props.onRange}
        empty="Nothing here."
        testid="grid"
      />
      <output data-testid="selected">{[...selected].sort().join(",")}</output>
    </>
  );
}

const viewport = () => screen.getByTestId("grid").querySelector<HTMLElement>(".grid-viewport")!;
const rows = () => [...screen.getByTestId("grid").querySelectorAll<HTMLElement>(".grid-row")].filter((r) => r.style.display !== "none");
const rowAt = (i: number) => screen.getByTestId("grid").querySelector<HTMLElement>(`.grid-row[row-index="${i}"]`);
const cellAt = (i: number, col: string) => rowAt(i)?.querySelector<HTMLElement>(`[col-id="${col}"]`);
const scrollTo = (top: number) =>
  act(() => {
    viewport().scrollTop = top;
    fireEvent.scroll(viewport());
  });

describe("QueueGrid", () => {
  it("renders only the rows in view, and reuses their nodes when scrolled", () => {
    const onRange = vi.fn();
    render(<Harness count={100_000} onRange={onRange} />);
    expect(rows()).toHaveLength(10);
    expect(cellAt(0, "id")!.textContent).toBe("R0");
    expect(cellAt(3, "n")!.textContent).toBe("-3");
    expect(cellAt(3, "n")!.className).toContain("neg");
    expect(cellAt(3, "n")!.className).toContain("right");
    expect(rowAt(0)!.getAttribute("row-id")).toBe("R0");
    expect(onRange).toHaveBeenLastCalledWith(0, 9);
    const nodes = new Set(rows());

    // Half a row scrolled: 11 rows show, the first 10 on the same nodes as before.
    scrollTo(28 * 50_000 + 14);
    expect(rows()).toHaveLength(11);
    for (const n of nodes) expect(rows()).toContain(n);
    expect(rowAt(50_000)!.style.transform).toBe(`translateY(${28 * 50_000}px)`);
    expect(cellAt(50_000, "id")!.textContent).toBe("R50000");
    expect(rowAt(0)).toBeNull();
    expect(onRange).toHaveBeenLastCalledWith(50_000, 50_010);
    // The header shows the sort; the sizer spans every row.
    expect(screen.getByTestId("grid").querySelector('[col-id="n"]')!.getAttribute("aria-sort")).toBe("descending");
    expect(screen.getByTestId("grid").querySelector<HTMLElement>(".grid-sizer")!.style.height).toBe(`${28 * 100_000}px`);
  });

  it("rows not loaded are blank and marked loading", () => {
    render(<Harness count={20} missing={new Set([2])} />);
    expect(rowAt(2)!.classList.contains("row-loading")).toBe(true);
    expect(cellAt(2, "id")!.textContent).toBe("");
    expect(rowAt(2)!.hasAttribute("row-id")).toBe(false);
    expect(rowAt(1)!.classList.contains("row-loading")).toBe(false);
  });

  it("keyboard: arrows, Page Down, End and Home move the focus; Space selects, Shift+Space a range; Enter opens", () => {
    const onOpen = vi.fn();
    render(<Harness count={1000} onOpen={onOpen} />);
    fireEvent.click(cellAt(2, "id")!);
    expect(rowAt(2)!.classList.contains("focused")).toBe(true);
    fireEvent.keyDown(viewport(), { key: "ArrowDown" });
    expect(rowAt(3)!.classList.contains("focused")).toBe(true);
    expect(rowAt(2)!.classList.contains("focused")).toBe(false);
    fireEvent.keyDown(viewport(), { key: " " });
    fireEvent.keyDown(viewport(), { key: "ArrowDown" });
    fireEvent.keyDown(viewport(), { key: "ArrowDown" });
    fireEvent.keyDown(viewport(), { key: " ", shiftKey: true });
    expect(screen.getByTestId("selected").textContent).toBe("R3,R4,R5");
    expect(rowAt(4)!.classList.contains("selected")).toBe(true);
    expect(rowAt(4)!.querySelector<HTMLInputElement>(".grid-check")!.checked).toBe(true);
    fireEvent.keyDown(viewport(), { key: "Enter" });
    expect(onOpen).toHaveBeenLastCalledWith(5);
    // Page Down moves by a screen less one row, and keeps the focused row in view.
    fireEvent.keyDown(viewport(), { key: "PageDown" });
    expect(viewport().scrollTop).toBe(14 * 28 + 28 - 280);
    fireEvent.keyDown(viewport(), { key: "End" });
    expect(viewport().scrollTop).toBe(999 * 28 + 28 - 280);
    fireEvent.scroll(viewport());
    expect(rowAt(999)!.classList.contains("focused")).toBe(true);
    fireEvent.keyDown(viewport(), { key: "Home" });
    expect(viewport().scrollTop).toBe(0);
  });

  it("mouse: the checkbox and Ctrl+click select, Shift+click a range, a double-click opens", () => {
    const onOpen = vi.fn();
    render(<Harness count={50} onOpen={onOpen} />);
    fireEvent.click(rowAt(1)!.querySelector(".grid-check")!);
    fireEvent.click(cellAt(4, "id")!, { shiftKey: true });
    expect(screen.getByTestId("selected").textContent).toBe("R1,R2,R3,R4");
    fireEvent.click(cellAt(2, "n")!, { ctrlKey: true });
    expect(screen.getByTestId("selected").textContent).toBe("R1,R3,R4");
    // A plain click only focuses.
    fireEvent.click(cellAt(7, "id")!);
    expect(screen.getByTestId("selected").textContent).toBe("R1,R3,R4");
    expect(rowAt(7)!.classList.contains("focused")).toBe(true);
    fireEvent.doubleClick(cellAt(6, "id")!);
    expect(onOpen).toHaveBeenLastCalledWith(6);
  });

  it("says so when there are no rows", () => {
    render(<Harness count={0} />);
    expect(rows()).toHaveLength(0);
    expect(screen.getByTestId("grid").textContent).toContain("Nothing here.");
  });

  it("grow columns take the room left; the visible range is clamped to the rows", () => {
    expect(columnWidths([{ width: 100 }, { width: 110, grow: true }], 1000)).toEqual([100, 1000 - 34 - 100]);
    expect(columnWidths([{ width: 100 }, { width: 110, grow: true }], 100)).toEqual([100, 110]);
    expect(visibleRange(0, 280, 28, 5)).toEqual([0, 4]);
    expect(visibleRange(10_000, 280, 28, 5)).toEqual([4, 4]);
    expect(visibleRange(0, 0, 28, 5)).toBeNull();
    expect(visibleRange(0, 280, 28, 0)).toBeNull();
  });
});

describe("QueueGrid column widths", () => {
  gridViewportSize(280, 500);

  const GROWING: GridColumn<Row>[] = [
    { id: "id", header: "Id", width: 80, text: (r) => r.id, sortable: true },
    { id: "n", header: "N", width: 60, grow: true, text: (r) => String(r.n) },
  ];
  const onHeaderClick = vi.fn();
  function Grid() {
    return <QueueGrid<Row> onHeaderClick={onHeaderClick} columns={GROWING} rowCount={5} row={(i) => ({ id: `R${i}`, n: i })} rowKey={(r) => r.id} isSelected={() => false} focusedIndex={null} sort={null} testid="grid" />;
  }
  const width = (col: string) => screen.getByTestId("grid").querySelector<HTMLElement>(`.grid-row[row-index="0"] [col-id="${col}"]`)!.style.width;
  const headerWidth = (col: string) => screen.getByTestId("grid").querySelector<HTMLElement>(`.grid-header-cell[col-id="${col}"]`)!.style.width;

  it("dragging a header's edge resizes its column and the grow column takes the difference; a double-click restores it", async () => {
    render(<Grid />);
    // 500 px: the check column 34, Id 80, N the rest.
    expect(width("id")).toBe("80px");
    expect(width("n")).toBe(`${500 - 34 - 80}px`);
    const handle = screen.getByTestId("grid").querySelector<HTMLElement>('.grid-header-cell[col-id="id"] .col-resize')!;
    fireEvent.mouseDown(handle, { clientX: 100 });
    fireEvent.mouseMove(window, { clientX: 160 });
    fireEvent.mouseUp(window);
    expect(width("id")).toBe("140px");
    // The click that ends a drag over the header does not sort.
    fireEvent.click(screen.getByTestId("grid").querySelector('.grid-header-cell[col-id="id"]')!);
    expect(onHeaderClick).not.toHaveBeenCalled();
    expect(headerWidth("id")).toBe("140px");
    expect(width("n")).toBe(`${500 - 34 - 140}px`);
    // Never narrower than 40 px.
    fireEvent.mouseDown(handle, { clientX: 100 });
    fireEvent.mouseMove(window, { clientX: -500 });
    fireEvent.mouseUp(window);
    expect(width("id")).toBe("40px");
    // After the button is up, moving does nothing.
    fireEvent.mouseMove(window, { clientX: 300 });
    expect(width("id")).toBe("40px");
    fireEvent.doubleClick(handle);
    expect(width("id")).toBe("80px");
    // Later, a plain click on the header sorts.
    await new Promise((r) => setTimeout(r, 0));
    fireEvent.click(screen.getByTestId("grid").querySelector('.grid-header-cell[col-id="id"]')!);
    expect(onHeaderClick).toHaveBeenCalledWith("id");
  });
});
