import { useEffect, useState } from "react";

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
