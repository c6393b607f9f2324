import path from "node:path";
import { remote } from "webdriverio";
const browser = await remote({ hostname: "127.0.0.1", port: 4444, logLevel: "error", connectionRetryTimeout: 30000, capabilities: { "tauri:options": { application: path.resolve(process.env.RECON_APP_BIN) }, "wdio:enforceWebDriverClassic": true } });
try {
  await (await browser.$('[data-testid="signin-profile-clara"]')).waitForDisplayed({ timeout: 60000 });
  const t = Date.now();
  await browser.saveScreenshot("/tmp/exp/shot.png");
  console.log("screenshot ok in", Date.now() - t, "ms");
} catch (e) { console.log("screenshot FAILED", String(e).slice(0, 200)); } finally { await browser.deleteSession().catch(() => {}); }
