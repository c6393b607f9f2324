// Global keyboard shortcuts: one table for the handler and the help overlay.
import type { Screen } from "../state/app";

export const SCREEN_ORDER: Exclude<Screen, "signin">[] = ["workspaces", "import", "match", "exceptions", "manual", "signoff", "history"];
export const G_KEYS: Record<string, Exclude<Screen, "signin">> = {
  w: "workspaces",
  i: "import",
  m: "match",
  e: "exceptions",
  x: "manual",
  s: "signoff",
  h: "history",
};

export const SHORTCUTS: { keys: string; what: string; where?: string }[] = [
  { keys: "Alt+1 … Alt+7", what: "Workspaces, Import, Match, Exceptions, Manual match, Sign-off, History" },
  { keys: "g w / g i / g m / g e / g x / g s / g h", what: "Go to Workspaces / Import / Match / Exceptions / Manual match / Sign-off / History" },
  { keys: "Ctrl+Z (⌘Z)", what: "Undo your last decision (not while typing)" },
  { keys: "?", what: "Show or hide this help" },
  { keys: "Esc", what: "Close the detail panel, dialogs and this help" },
  { keys: "/", what: "Focus the search field", where: "Exceptions, Manual match" },
  { keys: "↑ ↓  PgUp PgDn  Home End", what: "Move between rows", where: "grids" },
  { keys: "Space", what: "Select / deselect the focused row", where: "grids" },
  { keys: "Shift+Space, Shift+click", what: "Select / deselect a range of rows", where: "grids" },
  { keys: "Enter", what: "Open the focused item's detail", where: "grids" },
  { keys: "Ctrl+A", what: "Select every item the filter matches (up to 1,000)", where: "Manual match grids (focused)" },
  { keys: "a / r", what: "Accept / reject the focused item's best suggestion", where: "Exceptions" },
  { keys: "Shift+M", what: "Assign the selected items to me", where: "Exceptions" },
  { keys: "Ctrl+Enter", what: "Confirm the match (or book the adjustment)", where: "Manual match" },
];

export type ShortcutAction =
  | { type: "go"; screen: Exclude<Screen, "signin"> }
  | { type: "undo" }
  | { type: "help" }
  | { type: "escape" }
  | { type: "g-pending" }
  | null;

export interface KeyLike {
  key: string;
  code?: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

/** True when the key goes to a text field (shortcuts other than Esc stay out of its way). */
export function isTyping(target: EventTarget | null): boolean {
  if (!target || !(target as HTMLElement).tagName) return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  if (tag === "textarea" || tag === "select") return true;
  if (tag === "input") {
    const type = (el as HTMLInputElement).type;
    return !["checkbox", "radio", "button", "submit", "reset"].includes(type);
  }
  return el.isContentEditable === true;
}

/** What a key press means, given whether "g" was just pressed. */
export function shortcutFor(e: KeyLike, typing: boolean, gPending: boolean): ShortcutAction {
  if (e.key === "Escape") return { type: "escape" };
  if (typing) return null;
  if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === "z") return { type: "undo" };
  if (e.altKey && !e.ctrlKey && !e.metaKey) {
    const digit = e.code?.startsWith("Digit") ? Number(e.code.slice(5)) : Number(e.key);
    if (digit >= 1 && digit <= SCREEN_ORDER.length) return { type: "go", screen: SCREEN_ORDER[digit - 1]! };
    return null;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.key === "?") return { type: "help" };
  if (gPending) {
    const s = G_KEYS[e.key.toLowerCase()];
    return s ? { type: "go", screen: s } : null;
  }
  if (e.key === "g") return { type: "g-pending" };
  return null;
}
