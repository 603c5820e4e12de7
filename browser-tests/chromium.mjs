// What the browser tests share: Debian's Chromium through playwright-core (never a downloaded
// browser), a whole-run time limit, and a check that fails the run with a reason.
import { chromium } from 'playwright-core';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
  '--disable-quic', '--disable-component-update', '--disable-sync'];

let browser;

/** Starts headless /usr/bin/chromium; it is closed by run(). */
export async function launch() {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, timeout: 30_000, args: ARGS });
  return browser;
}

export function check(cond, what) {
  if (!cond) throw new Error(what);
}

/**
 * Runs main() within limitMs: prints its result (or the failure) as one JSON line, closes the
 * browser, and exits 0 only when main() returned.
 */
export async function run(main, limitMs) {
  const watchdog = setTimeout(() => {
    console.log(JSON.stringify({ ok: false, reason: `did not finish within ${limitMs / 1000} s` }));
    if (browser) browser.close().catch(() => {});
    process.exit(1);
  }, limitMs);
  let code = 1;
  try {
    console.log(JSON.stringify(await main()));
    code = 0;
  } catch (e) {
    console.log(JSON.stringify({ ok: false, reason: String(e && e.message ? e.message : e) }));
  } finally {
    clearTimeout(watchdog);
    if (browser) await browser.close().catch(() => {});
  }
  process.exit(code);
}
