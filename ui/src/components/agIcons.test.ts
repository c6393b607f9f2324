// @vitest-environment node
// The self-hosted AG Grid icons (public/ag-icons, agIconNames.ts) must match the installed
// AG Grid: run `node scripts/ag-icons.mjs` after an upgrade.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types
import { quartzIcons, SHAPES } from "../../scripts/ag-icons.mjs";
import { AG_ICON_NAMES } from "./agIconNames";

describe("self-hosted AG Grid icons", () => {
  it("are in sync with the installed AG Grid", () => {
    const icons = quartzIcons() as Record<string, string>;
    expect([...AG_ICON_NAMES]).toEqual(Object.keys(icons).sort());
    const dir = path.resolve(process.cwd(), "public/ag-icons");
    for (const [name, svg] of Object.entries({ ...icons, ...(SHAPES as Record<string, string>) })) {
      expect(fs.readFileSync(path.join(dir, `${name}.svg`), "utf8")).toBe(svg + "\n");
    }
  });
});
