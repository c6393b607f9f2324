import { afterAll, beforeAll } from "vitest";

/** jsdom lays nothing out, so a grid would see a viewport 0 px high and render no row. For the
 * tests of the calling file (or describe block), grid viewports measure `height` px high and, when
 * given, `width` px wide. */
export function gridViewportSize(height: number, width?: number): void {
  const sizes: [string, number][] = [["clientHeight", height]];
  if (width !== undefined) sizes.push(["clientWidth", width]);
  beforeAll(() => {
    for (const [prop, px] of sizes) {
      const own = Object.getOwnPropertyDescriptor(Element.prototype, prop)!;
      Object.defineProperty(HTMLElement.prototype, prop, {
        configurable: true,
        get(this: HTMLElement) {
          return this.classList.contains("grid-viewport") ? px : own.get!.call(this);
        },
      });
    }
  });
  afterAll(() => {
    for (const [prop] of sizes) delete (HTMLElement.prototype as unknown as Record<string, unknown>)[prop];
  });
}
