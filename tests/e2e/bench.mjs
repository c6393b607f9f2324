// Speed benchmark of the real desktop app (release build) under tauri-driver + WebKitWebDriver,
// on a workspace with 100,000+ exceptions prepared by scripts/bench-app.sh. The figures are read
// from timing marks the UI records in the page (ui/src/logic/perfMarks.ts), so WebDriver's own
// round trips do not count; the harness-observed times are printed beside them.
//
//   start to interactive: main() of the app → the sign-in screen's first paint with profiles
//   exception grid: click on "Exceptions" → the first block (500 rows and the total) received →
//             its rows painted → open: the grid knows all N rows (its scrollbar spans them) and
//             every row on screen is painted. The grid (ui/src/components/QueueGrid.tsx) reads blocks
//             of 500 rows: the other blocks load only as they scroll into view, so this is NOT
//             "all rows loaded".
//   scrolling: 2 s of scrolling the grid at 40, 120 and 1,500 px a frame; frame intervals from
//              requestAnimationFrame (a frame over 25 ms counts as dropped at 60 Hz), and the
//              frames that showed rows whose block was still loading (blank, `.row-loading`);
//              idle frames (nothing changes, 6 s) for comparison: the machine's own dropped frames
//   decision: click "accept" on a suggestion → stored → the grid shows it (its rows marked
//             decided, painted) → the grid's blocks refreshed from the server and painted
//   manual match: click on its link → both sides' first rows painted
//
// Prints a Markdown table for BENCHMARKS.md. Exits non-zero only when the harness fails, never
// on a slow figure (speed is recorded, not asserted).

import path from "node:path";
import fs from "node:fs";
import { remote } from "webdriverio";
import { waitFor } from "./wait.mjs";

const WEBDRIVER_URL = new URL(process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444");
const APP = process.env.RECON_APP_BIN ?? "";
const WORKSPACE = process.env.BENCH_WORKSPACE ?? "bench";
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TIMEOUT = 180_000;

if (!APP || !fs.existsSync(APP)) {
  console.error(`FAILED: RECON_APP_BIN=${APP} does not exist`);
  process.exit(1);
}

const sel = (id) => `[data-testid="${id}"]`;
let browser;

async function until(fn, what, timeout = TIMEOUT) {
  return waitFor(browser, fn, what, timeout, 50);
}

async function click(id) {
  const el = await browser.$(sel(id));
  await el.waitForDisplayed({ timeout: TIMEOUT });
  await el.click();
}

const marks = () => browser.execute(() => ({ ...(window.__reconMarks ?? {}) }));
/** Clicks an element from inside the page and returns the page's clock just before the click. */
const clickInPage = (css) =>
  browser.execute((css) => {
    const el = document.querySelector(css);
    if (!el) return null;
    const t = performance.timeOrigin + performance.now();
    el.click();
    return t;
  }, css);

async function markAfter(name, since, what) {
  return until(async () => {
    const m = await marks();
    return m[name] && m[name] >= since ? m[name] : null;
  }, what);
}

const ms = (x) => `${Math.round(x)} ms`;
/** The IPC calls (recorded by the page, `window.__reconCalls`) in flight between two moments,
 * as "command start→end" in ms relative to `from`: what a slow moment waited on. */
async function timeline(from, to) {
  const calls = await browser.execute(() => [...(window.__reconCalls ?? [])]);
  return calls
    .filter((c) => c.end >= from && c.start <= to)
    .map((c) => `${c.cmd} ${Math.round(c.start - from)}→${Math.round(c.end - from)}`)
    .join(", ");
}
const timelines = [];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function session() {
  const t0 = Date.now();
  browser = await remote({
    hostname: WEBDRIVER_URL.hostname,
    port: Number(WEBDRIVER_URL.port || 4444),
    logLevel: "error",
    capabilities: { "tauri:options": { application: path.resolve(APP) }, "wdio:enforceWebDriverClassic": true },
  });
  await (await browser.$(sel("signin-profile-clara"))).waitForDisplayed({ timeout: TIMEOUT });
  const observed = Date.now() - t0;
  const m = await until(async () => {
    const m = await marks();
    return m["app-interactive"] ? m : null;
  }, "the app-interactive mark");
  const started = await browser.executeAsync((done) => {
    window.__TAURI_INTERNALS__.invoke("app_started_at").then(done, () => done(0));
  });
  return { startup: m["app-interactive"] - started, observed };
}

async function main() {
  const startups = [];
  for (let i = 0; i < RUNS; i++) {
    const s = await session();
    startups.push(s);
    if (i < RUNS - 1) {
      await browser.deleteSession();
      browser = null;
    }
  }
  // The last session goes on: sign in, open the big workspace, time the grid.
  await click("signin-profile-clara");
  await click("signin-submit");
  await (await browser.$(sel("screen-workspaces"))).waitForDisplayed({ timeout: TIMEOUT });
  const id = await until(async () => {
    for (const r of await browser.$$('[data-testid^="workspace-row-"]')) {
      if ((await r.getAttribute("data-workspace-name")) === WORKSPACE) return r.getAttribute("data-workspace-id");
    }
    return null;
  }, `workspace ${WORKSPACE} in the list`);
  await click(`workspace-open-${id}`);
  await until(async () => (await (await browser.$(sel("topbar-workspace"))).getAttribute("data-workspace-id")) === id, "the workspace to open");

  // What one IPC call costs in the page, by size: a grid block is 500 rows (the Rust side of a
  // 10,000-row page is about 50 ms; recon-bench store prints it).
  const ipc = await browser.executeAsync((done) => {
    const call = (limit) => {
      const t = performance.now();
      return window.__TAURI_INTERNALS__
        .invoke("list_exceptions", { query: { side: null, reason: null, text: null, sort: "age-desc", offset: 0, limit } })
        .then((page) => ({ limit, rows: page.rows.length, ms: performance.now() - t, bytes: JSON.stringify(page).length }));
    };
    Promise.all([]).then(async () => {
      const out = [];
      for (const limit of [500, 500, 10000]) out.push(await call(limit));
      done(out);
    }, () => done([]));
  });

  const grid = [];
  for (let i = 0; i < RUNS; i++) {
    if (i > 0) {
      await click("nav-workspaces");
      await (await browser.$(sel("screen-workspaces"))).waitForDisplayed({ timeout: TIMEOUT });
    }
    const t = await clickInPage(sel("nav-exceptions"));
    if (t === null) throw new Error("no Exceptions link");
    const first = await markAfter("exceptions-first-rows", t, "the first rows");
    const open = await markAfter("exceptions-open", t, "the grid to open (every row known, the screen painted)");
    const m = await marks();
    grid.push({ block: m["exceptions-first-block"] - t, first: first - t, open: open - t, rows: m["exceptions-rows"] });
    timelines.push(`grid run ${i + 1} (open ${ms(open - t)}): ${await timeline(t, open)}`);
  }
  const rows = grid[grid.length - 1].rows;
  const displayed = await browser.execute(() => document.querySelectorAll('[data-testid="exceptions-grid"] .grid-row').length);

  // Scrolling at three speeds, each from the top for 2 s: 40 px a frame (a brisk mouse wheel,
  // 2,400 px/s), 120 (a trackpad fling) and 1,500 (dragging the scrollbar: every frame shows new
  // rows and every tenth a new block).
  const scrolls = [];
  for (const px of [40, 120, 1500]) {
    scrolls.push(await browser.executeAsync((px, done) => {
      // The grid's vertically scrolling element: the one inside the grid with the tallest content.
      let vp = null;
      for (const el of document.querySelectorAll('[data-testid="exceptions-grid"] *')) {
        if (el.scrollHeight > el.clientHeight + 1000 && (!vp || el.scrollHeight > vp.scrollHeight)) vp = el;
      }
      if (!vp) return done(null);
      // Rows whose block has not arrived yet: the grid renders them as empty cells, class row-loading.
      const blankRows = () => document.querySelectorAll('[data-testid="exceptions-grid"] .row-loading').length;
      vp.scrollTop = 0;
      // Settle at the top (its block loaded and painted) before the clock starts.
      setTimeout(() => {
        const gaps = [];
        let blankFrames = 0;
        let blankMax = 0;
        let last = performance.now();
        const end = last + 2000;
        let down = true;
        const step = (now) => {
          gaps.push(now - last);
          last = now;
          const blank = blankRows();
          if (blank > 0) blankFrames++;
          blankMax = Math.max(blankMax, blank);
          if (down && vp.scrollTop + vp.clientHeight >= vp.scrollHeight - 2) down = false;
          vp.scrollTop += down ? px : -px;
          if (now < end) requestAnimationFrame(step);
          else done({ px, frames: gaps.length, gaps, blankFrames, blankMax, blankAtEnd: blankRows(), scrolled: vp.scrollTop, scrollHeight: vp.scrollHeight });
        };
        requestAnimationFrame(step);
      }, 1000);
    }, px));
  }
  // Frames with nothing to do, for comparison: what a frame costs here when no row changes, and
  // how often the machine itself drops one. 6 s: as many frames as the three scrolls together.
  const idle = await browser.executeAsync((done) => {
    const gaps = [];
    let last = performance.now();
    const end = last + 6000;
    const step = (now) => {
      gaps.push(now - last);
      last = now;
      if (now < end) requestAnimationFrame(step);
      else done(gaps.slice(1));
    };
    requestAnimationFrame(step);
  });

  // A decision: the "suggested" filter, the first row, accept its best suggestion.
  const decisions = [];
  const reason = await browser.$(sel("exceptions-filter-reason"));
  await reason.selectByAttribute("value", "suggested");
  for (let i = 0; i < RUNS; i++) {
    await until(async () => (await (await browser.$(sel("exceptions-count"))).getAttribute("data-loading")) === "false", "the list to settle");
    const cell = await browser.$(`${sel("exceptions-grid")} .grid-row[row-index="0"] [col-id="item_id"]`);
    await cell.waitForDisplayed({ timeout: TIMEOUT });
    await cell.click();
    const item = await browser.execute(() => document.querySelector('[data-testid="exceptions-grid"] .grid-row[row-index="0"] [col-id="item_id"]')?.textContent ?? "");
    // A suggestion that names this row's item (the panel may still show the previous row's).
    const btn = await until(
      () =>
        browser.execute((item) => {
          for (const s of document.querySelectorAll("[data-suggestion-id]")) {
            if ([...s.querySelectorAll(".chip")].some((c) => c.textContent.trim().endsWith(` ${item}`))) return `suggestion-accept-${s.getAttribute("data-suggestion-id")}`;
          }
          return null;
        }, item),
      `a suggestion of ${item} to accept (panel: ${await browser.execute(() => document.querySelector('[data-testid="suggestions-panel"]')?.textContent?.slice(0, 300))})`,
    );
    const t = await clickInPage(sel(btn));
    const stored = await until(async () => {
      const banner = await browser.$(sel("error-banner"));
      if ((await banner.isExisting()) && (await banner.isDisplayed())) throw new Error(`accepting ${btn}: ${await banner.getText()}`);
      const m = await marks();
      return m["decision-stored"] && m["decision-stored"] >= t ? m["decision-stored"] : null;
    }, "the decision to be stored");
    const first = await markAfter("decision-grid-updated", t, "the grid to show the decision");
    const refreshed = await markAfter("exceptions-refreshed", t, "the grid to refresh from the server");
    const applied = (await marks())["decision-grid-applied"];
    decisions.push({ stored: stored - t, applied: applied - t, first: first - t, refreshed: refreshed - t });
    timelines.push(`decision ${i + 1} (refreshed ${ms(refreshed - t)}): ${await timeline(t, refreshed)}`);
  }
  const suggestedRows = (await marks())["exceptions-rows"];

  // Manual match: both sides' first blocks, from the click on its link.
  const manual = [];
  for (let i = 0; i < RUNS; i++) {
    await click("nav-workspaces");
    await (await browser.$(sel("screen-workspaces"))).waitForDisplayed({ timeout: TIMEOUT });
    const t = await clickInPage(sel("nav-manual"));
    if (t === null) throw new Error("no Manual match link");
    const open = await markAfter("manual-open", t, "both sides of Manual match to show their first rows");
    manual.push(open - t);
    timelines.push(`manual match run ${i + 1} (open ${ms(open - t)}): ${await timeline(t, open)}`);
  }
  const manualCounts = await browser.execute(() => ["bank", "ledger"].map((s) => document.querySelector(`[data-testid="manual-${s}-count"]`)?.getAttribute("data-count")));

  const frameStats = (gaps) => {
    const sorted = [...gaps].sort((a, b) => a - b);
    const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] : 0);
    return { n: gaps.length, median: at(0.5), p95: at(0.95), max: sorted.length ? sorted[sorted.length - 1] : 0, dropped: gaps.filter((g) => g > 25).length };
  };
  console.log(`| measure (release build, Xvfb, ${RUNS} runs) | target | median | all runs |`);
  console.log("|---|---|---|---|");
  console.log(`| start to interactive (main() → sign-in painted) | ≤ 1.5 s | ${ms(median(startups.map((s) => s.startup)))} | ${startups.map((s) => ms(s.startup)).join(", ")} |`);
  console.log(`| … as WebDriver sees it (session request → sign-in displayed) | | ${ms(median(startups.map((s) => s.observed)))} | ${startups.map((s) => ms(s.observed)).join(", ")} |`);
  console.log(`| exception grid: click → first block (500 rows + the total) received over IPC | | ${ms(median(grid.map((g) => g.block)))} | ${grid.map((g) => ms(g.block)).join(", ")} |`);
  console.log(`| exception grid: click → first rows painted | | ${ms(median(grid.map((g) => g.first)))} | ${grid.map((g) => ms(g.first)).join(", ")} |`);
  console.log(`| exception grid: click → open: all ${rows} rows known (scrollbar spans them), the first screen painted; other blocks load on scroll | ≤ 500 ms | ${ms(median(grid.map((g) => g.open)))} | ${grid.map((g) => ms(g.open)).join(", ")} |`);
  for (const c of ipc) console.log(`| one list_exceptions call over IPC, ${c.rows} rows (${(c.bytes / 1e6).toFixed(1)} MB of JSON) | | ${ms(c.ms)} | |`);
  const idleStats = frameStats(idle);
  console.log(`| frames with nothing to do (6 s): count, median and p95 interval, dropped (> 25 ms) | | ${idleStats.n} frames, median ${ms(idleStats.median)}, p95 ${ms(idleStats.p95)}, ${idleStats.dropped} dropped | max ${ms(idleStats.max)} |`);
  for (const scroll of scrolls) {
    if (!scroll) {
      console.log("| scrolling | none dropped | NO SCROLLER FOUND | |");
      continue;
    }
    const f = frameStats(scroll.gaps.slice(1));
    console.log(`| scrolling 2 s at ${scroll.px.toLocaleString("en-US")} px/frame: frames, median and p95 interval, dropped (> 25 ms) | none dropped | ${f.n} frames, median ${ms(f.median)}, p95 ${ms(f.p95)}, ${f.dropped} dropped | max ${ms(f.max)}; ${displayed} rows in the DOM |`);
    console.log(`| … frames showing rows still loading (blank), most blank rows in a frame, blank at the end | | ${scroll.blankFrames} of ${scroll.frames} frames, up to ${scroll.blankMax} rows, ${scroll.blankAtEnd} at the end | scrolled to ${Math.round(scroll.scrolled).toLocaleString("en-US")} of ${scroll.scrollHeight.toLocaleString("en-US")} px |`);
  }
  console.log(`| decision (accept) click → stored | | ${ms(median(decisions.map((d) => d.stored)))} | ${decisions.map((d) => ms(d.stored)).join(", ")} |`);
  console.log(`| decision click → stored → shown on the loaded rows (before paint) | | ${ms(median(decisions.map((d) => d.applied)))} | ${decisions.map((d) => ms(d.applied)).join(", ")} |`);
  console.log(`| decision click → grid updated and painted (${suggestedRows} rows in the filter) | ≤ 50 ms | ${ms(median(decisions.map((d) => d.first)))} | ${decisions.map((d) => ms(d.first)).join(", ")} |`);
  console.log(`| decision click → the grid's blocks refreshed from the server and painted | | ${ms(median(decisions.map((d) => d.refreshed)))} | ${decisions.map((d) => ms(d.refreshed)).join(", ")} |`);
  console.log(`| manual match: click → both sides' first rows painted (${manualCounts[0]} bank lines, ${manualCounts[1]} ledger entries open) | | ${ms(median(manual))} | ${manual.map(ms).join(", ")} |`);
  console.log("\nIPC calls in flight (ms after the click, sent→answered):");
  for (const line of timelines) console.log(`- ${line}`);
}

let code = 0;
try {
  await main();
} catch (e) {
  console.error(`FAILED: ${e?.stack ?? e}`);
  code = 1;
} finally {
  if (browser) await browser.deleteSession().catch(() => {});
}
process.exit(code);
