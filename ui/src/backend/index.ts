import type { Backend } from "./Backend";
import { FakeBackend } from "./fake";
import { isTauri, TauriBackend } from "./tauri";

/** The desktop app when Tauri's internals are injected, otherwise the in-memory fake (so
 * `vite dev` in a plain browser works). */
export function createBackend(): Backend {
  return isTauri() ? new TauriBackend() : new FakeBackend({ latencyMs: 40 });
}
