// Drives the label review page (data label-issues' label_issues.html) in headless Debian Chromium:
//   node label-review.mjs PAGE.html OUT_DIR
// Decides the first four images (accept, keep, relabel to another class, unclear) and, when the
// page has near-duplicate pairs, checks an image shown twice carries one decision and takes the
// other image's label with the key a on a pair; reloads the
// page to check the choices are kept, downloads decisions.csv into OUT_DIR and takes
// OUT_DIR/label-review.png. Every request that is not the page itself is aborted and fails the
// run. Prints one JSON line; exit 0 when every check passed. Run by LabelReviewBrowserTest.
import { check, launch, run } from './chromium.mjs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [page0, outDir] = process.argv.slice(2);
if (!page0 || !outDir) {
  console.log(JSON.stringify({ ok: false, reason: 'usage: node label-review.mjs PAGE.html OUT_DIR' }));
  process.exit(1);
}
const url = pathToFileURL(path.resolve(page0)).href;
async function main() {
  const browser = await launch();
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1200, height: 900 } });
  const elsewhere = [];
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u === url || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
    elsewhere.push(u);
    return route.abort();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  const cards = page.locator('.card');
  const n = await cards.count();
  check(n >= 4, `expected at least 4 images, found ${n}`);
  const pick = async (i, value) => cards.nth(i).locator('select.decision').selectOption(value);
  await pick(0, 'accept');
  await cards.nth(1).focus();
  await page.keyboard.press('k'); // keep, by key
  const relabel = await cards.nth(2).locator('select.decision option[value^="relabel:"]').first().getAttribute('value');
  check(relabel, 'no relabel option on the third image');
  await pick(2, relabel);
  await cards.nth(3).focus();
  await page.keyboard.press('u'); // unclear, by key
  check((await page.locator('#count').textContent()) === '4', 'the count did not reach 4');
  // near-duplicate pairs: an image shown twice has one decision, and "a" there takes the other
  // image's label
  let decided = 4;
  const dups = page.locator('.card.dup');
  if ((await dups.count()) > 0) {
    const twin = await page.evaluate(() => {
      const c0 = document.querySelector('.card');
      const t = [...document.querySelectorAll('.card.dup')].find((c) => c.dataset.path === c0.dataset.path);
      return t ? { value: t.querySelector('select').value, suggested0: c0.dataset.suggested } : null;
    });
    check(twin, 'the first image is not in a near-duplicate pair');
    check(twin.value === 'relabel:' + twin.suggested0, `the pair did not show the first image's decision: ${twin.value}`);
    const fresh = await page.evaluate(() => {
      const seen = new Set([...document.querySelectorAll('.card:not(.dup)')].slice(0, 4).map((c) => c.dataset.path));
      return [...document.querySelectorAll('.card.dup')].findIndex((c) => !seen.has(c.dataset.path));
    });
    check(fresh >= 0, 'no undecided near-duplicate image');
    await dups.nth(fresh).focus();
    await page.keyboard.press('a'); // the other image's label, by key
    const other = await dups.nth(fresh).getAttribute('data-suggested');
    check((await dups.nth(fresh).locator('select.decision').inputValue()) === 'relabel:' + other, 'a on a pair did not take the other label');
    decided = 5;
  }
  check((await page.locator('#count').textContent()) === String(decided), `the count did not reach ${decided}`);
  await page.reload();
  check((await page.locator('#count').textContent()) === String(decided), 'the decisions were not kept across a reload');
  check((await cards.nth(2).locator('select.decision').inputValue()) === relabel, 'relabel not kept');
  await page.screenshot({ path: path.join(outDir, 'label-review.png') });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const csvPath = path.join(outDir, 'decisions.csv');
  await download.saveAs(csvPath);
  check(errors.length === 0, `script errors: ${errors.join('; ')}`);
  check(elsewhere.length === 0, `requests to elsewhere: ${elsewhere.join(', ')}`);
  return { ok: true, images: n, decided, relabel: relabel.slice(8), csv: csvPath, blocked: 0 };
}

run(main, 60_000);
