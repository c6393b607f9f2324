import path from "node:path";
import { remote } from "webdriverio";
const APP = process.env.RECON_APP_BIN;
const WEBDRIVER_URL = new URL(process.env.WEBDRIVER_URL ?? "http://127.0.0.1:4444");
const browser = await remote({ hostname: WEBDRIVER_URL.hostname, port: Number(WEBDRIVER_URL.port || 4444), logLevel: "error", capabilities: { "tauri:options": { application: path.resolve(APP) }, "wdio:enforceWebDriverClassic": true } });
function stats(r) { const g = [...r].sort((a, b) => a - b); return `${g.length} frames, median ${g[Math.floor(g.length / 2)].toFixed(0)} ms, p95 ${g[Math.floor(g.length * 0.95)].toFixed(0)} ms, dropped ${g.filter((x) => x > 25).length}`; }
try {
  await (await browser.$('[data-testid="signin-profile-clara"]')).waitForDisplayed({ timeout: 60000 });
  for (const [label, mode, px] of [["virt doc, fixed chrome", "full", 40], ["virt doc, fixed chrome", "full", 120], ["virt doc, fixed chrome", "full", 1500], ["virt doc, sticky head", "sticky", 40], ["virt doc, sticky head", "sticky", 1500], ["virt div 1000x700", "div", 40]]) {
    const r = await browser.executeAsync((mode, px, done) => {
      const N = 108240, RH = 28;
      document.getElementById("root").style.display = "none";
      const host = document.createElement("div"); host.id = "exp";
      document.body.appendChild(host);
      const isDiv = mode === "div";
      if (!isDiv) { document.documentElement.style.overflow = "auto"; document.body.style.overflow = "visible"; document.body.style.height = "auto"; }
      host.innerHTML = `
        <div id="top" style="position:fixed;left:0;top:0;right:0;height:44px;background:#1d2a3a;color:#fff;z-index:3;font:14px system-ui;padding:12px">Recon Workbench · demo · NL91ABNA0417164300</div>
        <div id="nav" style="position:fixed;left:0;top:44px;bottom:0;width:180px;background:#f3f5f8;z-index:2;font:13px system-ui">${["Workspaces","Import","Match","Exceptions","Manual match","Sign-off"].map(s=>`<div style="padding:10px 16px">${s}</div>`).join("")}</div>
        <div id="panel" style="position:fixed;right:0;top:44px;bottom:0;width:340px;background:#fafbfc;border-left:1px solid #ddd;z-index:2;font:13px system-ui;padding:10px">${Array.from({length:6},(_, i)=>`<div style="border:1px solid #ddd;border-radius:6px;margin:8px 0;padding:8px">amount_date ${90-i} · Δ +0.00 EUR<br>amount equal; date 2 days apart; reference equal<br><button>Accept</button> <button>Reject</button></div>`).join("")}</div>
        <div id="content" style="margin:44px 340px 0 180px;font:13px system-ui;color:#222;${isDiv ? "position:fixed;left:180px;right:340px;top:44px;bottom:0;margin:0;overflow:auto" : ""}">
          <div id="head" style="${mode === "full" ? "position:fixed;left:180px;right:340px;top:44px;" : "position:sticky;top:44px;"}height:150px;background:#fff;z-index:1;border-bottom:1px solid #ccc"><h1 style="margin:8px">Exceptions</h1><input placeholder="Search" style="margin:8px"> <select><option>Both sides</option></select><div style="margin:8px">0 selected <button>Assign to me</button></div><div style="display:flex;font-weight:600;margin-top:10px">${["Side","Item","Date","Days","Amount","Reason","Sugg.","Reference","Description","Assignee"].map(h=>`<span style="width:90px;padding:0 6px">${h}</span>`).join("")}</div></div>
          <div id="rows" style="position:relative;height:${N*RH}px;${mode === "full" ? "margin-top:150px;" : ""}"></div>
        </div>`;
      const rowsEl = document.getElementById("rows");
      const scroller = isDiv ? document.getElementById("content") : document.scrollingElement;
      const pool = [];
      const render = () => {
        const top = scroller.scrollTop - (mode === "full" ? 150 : 150);
        const vh = isDiv ? scroller.clientHeight : innerHeight;
        const first = Math.max(0, Math.floor(top / RH)), last = Math.min(N - 1, Math.ceil((top + vh) / RH));
        const count = last - first + 1;
        while (pool.length < count) { const d = document.createElement("div"); d.style.cssText = `position:absolute;left:0;right:0;height:${RH}px;display:flex;align-items:center;border-bottom:1px solid #eee;contain:strict`; for (let c = 0; c < 10; c++) { const s = document.createElement("span"); s.style.cssText = `width:${c === 8 ? 200 : 90}px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;padding:0 6px`; d.appendChild(s); } rowsEl.appendChild(d); pool.push(d); }
        for (let k = 0; k < pool.length; k++) {
          const d = pool[k]; const i = first + k;
          if (k >= count) { d.style.display = "none"; continue; }
          d.style.display = "flex";
          if (d._i === i) continue; d._i = i;
          d.style.transform = `translateY(${i * RH}px)`;
          const cells = d.children;
          const v = [i % 2 ? "bank" : "ledger", "B" + (100000 + i), "2026-01-" + String(1 + i % 28).padStart(2, "0"), String(i % 90), (i * 13.37 % 100000).toFixed(2), "unmatched", String(i % 3), "REF" + i, "Acme Systems AG invoice " + i, i % 5 ? "" : "clara"];
          for (let c = 0; c < 10; c++) cells[c].textContent = v[c];
        }
      };
      (isDiv ? scroller : window).addEventListener("scroll", render);
      render();
      setTimeout(() => {
        const gaps = []; let last = performance.now(); const end = last + 2000;
        const step = (now) => { gaps.push(now - last); last = now; scroller.scrollTop += px; if (now < end) requestAnimationFrame(step); else { const y = scroller.scrollTop; (isDiv ? scroller : window).removeEventListener("scroll", render); host.remove(); document.getElementById("root").style.display = ""; document.scrollingElement.scrollTop = 0; done({ gaps: gaps.slice(1), y }); } };
        requestAnimationFrame(step);
      }, 500);
    }, mode, px);
    console.log(`${label} at ${px}px/frame: ${stats(r.gaps)} (scrolled to ${r.y})`);
  }
} catch (e) { console.error(`FAILED: ${e?.stack ?? e}`); process.exitCode = 1; }
finally { await browser.deleteSession().catch(() => {}); }
