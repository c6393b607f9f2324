// The one polling helper of the WebDriver scripts (run.mjs, bench.mjs).

/** Polls fn() until it returns a truthy value, and returns that value. */
export async function waitFor(browser, fn, what, timeout, interval = 150) {
  let last;
  await browser.waitUntil(
    async () => {
      last = await fn();
      return !!last;
    },
    { timeout, interval, timeoutMsg: `timed out after ${timeout} ms waiting for ${what}` },
  );
  return last;
}
