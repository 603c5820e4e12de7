// Drives the server's /dashboard in headless Debian Chromium (never a downloaded browser):
//   node dashboard.mjs DASHBOARD_URL TOKEN OUT_DIR EXPERIMENT_ID
// Checks the experiment as rendered, stops it from the page (first without a token, which must
// fail with 401, then with one) and writes OUT_DIR/dashboard-running.png and
// OUT_DIR/dashboard-stopped.png. Every request that is not to the dashboard's own host:port is
// aborted and counted; any such request fails the run. Prints one JSON line; exit 0 when all
// checks passed, 1 otherwise. Run by DashboardBrowserTest.
import { check, launch, run } from './chromium.mjs';
import path from 'node:path';

const STEP_MS = 10_000;
const WHOLE_MS = 60_000;

const [url, token, outDir, id] = process.argv.slice(2);
if (!url || !token || !outDir || !id) {
  console.log(JSON.stringify({ ok: false, reason: 'usage: node dashboard.mjs DASHBOARD_URL TOKEN OUT_DIR EXPERIMENT_ID' }));
  process.exit(1);
}
const origin = new URL(url).origin;

async function main() {
  const browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.setDefaultNavigationTimeout(STEP_MS);

  const elsewhere = [];
  let requests = 0;
  await page.route('**/*', (route) => {
    const u = route.request().url();
    let o = null;
    try {
      o = new URL(u).origin;
    } catch {
      // an unparsable URL is not ours
    }
    if (o === origin) {
      requests++;
      return route.continue();
    }
    elsewhere.push(u);
    return route.abort('blockedbyclient');
  });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  const article = page.locator(`article.experiment[data-experiment="${id}"]`);
  const state = article.locator('span.state[data-state]');
  const stop = article.locator(`button.stop[data-stop="${id}"]`);
  // the page reloads itself every 10 s while the box is ticked: untick it so that nothing
  // reloads between a check and the next
  const noAutoReload = () => page.locator('#auto').uncheck();

  const first = await page.goto(url, { waitUntil: 'load' });
  check(first && first.status() === 200, `GET ${url}: ${first ? first.status() : 'no response'}`);
  await noAutoReload();
  check((await article.count()) === 1, `no article for experiment ${id}`);
  const before = await state.getAttribute('data-state');
  check(before === 'running', `state is ${before}, not running`);

  const arms = {};
  for (const name of ['control', 'treatment']) {
    const row = article.locator(`table.arms tr[data-arm="${name}"]`);
    check((await row.count()) === 1, `no row for arm ${name}`);
    const cells = (await row.locator('td').allTextContents()).map((s) => s.trim());
    // arm, serves, weight, units, share, requests, labelled, accuracy, conf., ms, errors
    check(cells.length >= 8, `arm ${name}: ${cells.length} cells`);
    const units = Number(cells[3]);
    const reqs = Number(cells[5]);
    const labelled = Number(cells[6]);
    check(Number.isInteger(units) && units > 0, `arm ${name}: units '${cells[3]}'`);
    check(Number.isInteger(reqs) && reqs > 0, `arm ${name}: requests '${cells[5]}'`);
    check(Number.isInteger(labelled) && labelled > 0, `arm ${name}: labelled '${cells[6]}'`);
    check(/\d+(\.\d+)?\s*%/.test(cells[7]), `arm ${name}: accuracy '${cells[7]}'`);
    arms[name] = { units, requests: reqs, labelled, accuracy: cells[7] };
  }
  const armRows = await article.locator('table.arms tr[data-arm]').count();
  const decision = article.locator('p.decision[data-decision]');
  check((await decision.count()) === 1, 'no decision');
  const decided = await decision.getAttribute('data-decision');
  check(!!decided && (await decision.innerText()).trim().length > 0, 'the decision is empty');
  check((await article.locator('svg').count()) >= 1, 'no svg chart in the article');
  check(await article.locator('svg').first().isVisible(), 'the chart is not visible');
  check((await stop.count()) === 1, 'no stop button');
  await page.screenshot({ path: path.join(outDir, 'dashboard-running.png'), fullPage: true });

  // without a token: the server answers 401, the page says why and the experiment runs on
  const refused = page.waitForResponse((r) => r.url().endsWith(`/experiments/${encodeURIComponent(id)}/stop`));
  await stop.click();
  const r401 = await refused;
  check(r401.status() === 401, `stop without a token: ${r401.status()}, not 401`);
  const msg = page.locator('#msg');
  await msg.waitFor({ state: 'visible' });
  const message = (await msg.innerText()).trim();
  check(message.length > 0, 'the error message is empty');
  check((await state.getAttribute('data-state')) === 'running', 'not running after the refused stop');

  // with the token: stopped, and the page reloads without the button
  await page.locator('#token').fill(token);
  const accepted = page.waitForResponse((r) => r.url().endsWith(`/experiments/${encodeURIComponent(id)}/stop`));
  const reloaded = page.waitForEvent('load');
  await stop.click();
  const r200 = await accepted;
  check(r200.ok(), `stop with the token: ${r200.status()}`);
  await reloaded;
  await noAutoReload();
  await state.waitFor({ state: 'attached' });
  const after = await state.getAttribute('data-state');
  check(after === 'stopped', `state after the stop is ${after}, not stopped`);
  check((await stop.count()) === 0, 'the stop button is still there');
  check((await page.locator('#msg').count()) === 0, 'the error message survived the reload');
  await page.screenshot({ path: path.join(outDir, 'dashboard-stopped.png'), fullPage: true });

  check(elsewhere.length === 0, `requests to elsewhere: ${elsewhere.join(' ')}`);
  check(pageErrors.length === 0, `script errors: ${pageErrors.join(' | ')}`);
  return {
    ok: true,
    experiment: id,
    arms: armRows,
    arm: arms,
    decision: decided,
    state_before: before,
    refused: { status: r401.status(), message },
    state_after: after,
    requests,
    blocked: elsewhere.length,
    browser: browser.version(),
  };
}

run(main, WHOLE_MS);
