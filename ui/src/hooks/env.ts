import { useEffect, useState } from "react";
import { colorSchemeDark, colorSchemeLight, iconOverrides, themeQuartz } from "ag-grid-community";
import { AG_ICON_NAMES } from "../components/agIconNames";

/** navigator.onLine, kept current by the online/offline events. */
export function useOnline(): boolean {
  const [online, setOnline] = useState(() => (typeof navigator === "undefined" ? true : navigator.onLine));
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener("online", on);
    window.addEventListener("offline", off);
    return () => {
      window.removeEventListener("online", on);
      window.removeEventListener("offline", off);
    };
  }, []);
  return online;
}

/** "dark" when the OS prefers it (prefers-color-scheme), following changes. */
export function useColorScheme(): "light" | "dark" {
  const query = "(prefers-color-scheme: dark)";
  const get = () => (typeof window !== "undefined" && window.matchMedia?.(query).matches ? "dark" : "light");
  const [scheme, setScheme] = useState<"light" | "dark">(get);
  useEffect(() => {
    const mq = window.matchMedia?.(query);
    if (!mq) return;
    const cb = () => setScheme(mq.matches ? "dark" : "light");
    mq.addEventListener?.("change", cb);
    return () => mq.removeEventListener?.("change", cb);
  }, []);
  return scheme;
}

// AG Grid's theme embeds its icons as data: URLs, which the CSP blocks (no img-src data:).
// Every icon and checkbox shape comes from a bundled file instead (scripts/ag-icons.mjs).
const icon = (name: string) => ({ url: `./ag-icons/${name}.svg` });
const selfHostedIcons = iconOverrides({
  type: "image",
  mask: true,
  icons: Object.fromEntries(AG_ICON_NAMES.map((n) => [n, icon(n)])),
});

const base = themeQuartz.withPart(selfHostedIcons).withParams({
  checkboxCheckedShapeImage: icon("checkbox-checked"),
  checkboxIndeterminateShapeImage: icon("checkbox-indeterminate"),
  radioCheckedShapeImage: icon("radio-checked"),
  fontFamily: "inherit",
  fontSize: 12,
  headerFontSize: 12,
  rowHeight: 26,
  headerHeight: 28,
  spacing: 5,
  wrapperBorderRadius: 4,
  borderRadius: 3,
  cellHorizontalPadding: 8,
});
const light = base.withPart(colorSchemeLight).withParams({ accentColor: "#2563eb", headerBackgroundColor: "#f3f4f6" });
const dark = base.withPart(colorSchemeDark).withParams({ accentColor: "#60a5fa", backgroundColor: "#17191d", headerBackgroundColor: "#1f2227", foregroundColor: "#e5e7eb" });

/** AG Grid theme (dense Quartz) that follows the OS colour scheme. */
export function useGridTheme() {
  return useColorScheme() === "dark" ? dark : light;
}
