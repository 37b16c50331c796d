/*
 * The browser half of scripts/stock-app.sh: in the stock app that script built and started,
 * signs in as guest and opens the orders service's "Databases" tab (the /alpha plugin's entity
 * content): the plugin's heading and its warning about the configured cluster (nothing listens
 * there), answered by the backend plugin through the Kubernetes backend; then the overview card.
 *
 *   node scripts/stock-app-browser.js <app base URL> <folder for the screenshot>
 */
const { launchChromium } = require('./chromium');

async function main() {
  const [base, outDir] = process.argv.slice(2);
  const browser = await launchChromium();
  const page = await browser.newPage({
    viewport: { width: 1400, height: 1000 },
  });
  page.setDefaultTimeout(60_000);
  const failures = [];
  page.on('pageerror', e => failures.push(`page error: ${e.message}`));
  const answers = [];
  page.on('response', res => {
    if (res.url().includes('/api/postgres/'))
      answers.push(`${res.status()} ${res.url()}`);
  });
  try {
    await page.goto(`${base}/catalog/default/component/orders/databases`);
    await page.getByRole('button', { name: 'Enter' }).click();
    const step = async (what, fn) => {
      try {
        await fn();
      } catch (e) {
        throw new Error(`${what}: ${String(e.message ?? e).split('\n')[0]}`);
      }
    };
    await step('the Databases tab', () =>
      page.getByText('PostgreSQL databases', { exact: true }).waitFor(),
    );
    await step('the warning about stock-cluster', () =>
      page
        .getByText(/Not everything could be shown from cluster stock-cluster/)
        .waitFor(),
    );
    await page.screenshot({ path: `${outDir}/databases-tab.png` });
    await step('the Overview tab', async () => {
      await page.getByText('Overview', { exact: true }).click();
      await page.waitForURL(url => !url.pathname.endsWith('/databases'));
    });
    await step('the overview card', () =>
      page.getByText('PostgreSQL databases', { exact: true }).waitFor(),
    );
    await page.screenshot({ path: `${outDir}/overview.png`, fullPage: true });
  } catch (e) {
    failures.push(String(e.message ?? e).split('\n')[0]);
  }
  await page.screenshot({ path: `${outDir}/last-page.png` }).catch(() => {});
  await browser.close();
  console.log(
    `requests to the backend plugin: ${answers.join(', ') || 'none'}`,
  );
  if (!answers.some(a => a.startsWith('200 ')))
    failures.push('no 200 from /api/postgres');
  if (failures.length) {
    console.error(`browser: ${failures.join('; ')}`);
    process.exit(1);
  }
  console.log(
    'browser: the Databases tab and the overview card rendered (the /alpha plugin)',
  );
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
