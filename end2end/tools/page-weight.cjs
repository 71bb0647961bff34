// What a parent's browser downloads for a page, in bytes as they travel (compressed, headers
// included, Chromium's own count through the DevTools protocol), on a first visit (an empty
// cache) and on a repeat visit (the same browser coming back later), and how long the page
// takes to become interactive (`<body data-hydrated="true">`) on a throttled phone.
//
//   node tools/page-weight.cjs BASE_URL [PATH] [RUNS]   -> `key value` lines (bench/run.sh)
//
// The browser tests use `visitTwice` to bound the repeat visit; times are only ever reported.
const { chromium } = require('@playwright/test');

/** Slow 4G as Lighthouse defines it: 1.6 Mbps down, 750 kbps up, 150 ms round trip, 4x CPU. */
const SLOW_4G = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6 * 1000 * 1000) / 8,
  uploadThroughput: (750 * 1000) / 8,
};
const SLOW_4G_CPU = 4;

const LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/** Counts what `page` receives from the network: every response, with its bytes on the wire. */
async function countBytes(page) {
  const cdp = await page.context().newCDPSession(page);
  const requests = new Map();
  cdp.on('Network.responseReceived', (e) => {
    const entry = requests.get(e.requestId) ?? {};
    entry.url = e.response.url;
    entry.status = e.response.status;
    entry.encoding = e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? '';
    entry.cached = Boolean(e.response.fromDiskCache || e.response.fromPrefetchCache || e.response.fromServiceWorker);
    requests.set(e.requestId, entry);
  });
  cdp.on('Network.requestServedFromCache', (e) => {
    const entry = requests.get(e.requestId) ?? {};
    entry.cached = true;
    requests.set(e.requestId, entry);
  });
  cdp.on('Network.loadingFinished', (e) => {
    const entry = requests.get(e.requestId) ?? {};
    entry.bytes = e.encodedDataLength;
    requests.set(e.requestId, entry);
  });
  await cdp.send('Network.enable');
  return {
    cdp,
    /** Each finished response: url, status, content-encoding, bytes received, whether it came
     * from the browser's cache (then without a request on the network). */
    responses: () => [...requests.values()].filter((r) => r.url !== undefined && r.bytes !== undefined),
    total: () => [...requests.values()].reduce((sum, r) => sum + (r.bytes ?? 0), 0),
  };
}

/** Loads `url` in `page` and waits until it is hydrated and the network is quiet. */
async function load(page, url) {
  await page.goto(url);
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 60_000 });
  await page.waitForLoadState('networkidle');
}

/**
 * A first visit of `url` in a fresh context of `browser`, then a repeat visit from a new tab of
 * the same context (its HTTP cache kept). Returns both visits' bytes and responses.
 */
async function visitTwice(browser, url) {
  const context = await browser.newContext();
  try {
    const first = await context.newPage();
    const firstCount = await countBytes(first);
    await load(first, url);
    await first.close();
    const again = await context.newPage();
    const againCount = await countBytes(again);
    await load(again, url);
    const visits = {
      first: { bytes: firstCount.total(), responses: firstCount.responses() },
      repeat: { bytes: againCount.total(), responses: againCount.responses() },
    };
    await again.close();
    return visits;
  } finally {
    await context.close();
  }
}

/** Milliseconds from navigation to `data-hydrated` on a first visit under Slow 4G. */
async function timeToInteractive(browser, url) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (document.body?.getAttribute('data-hydrated') === 'true') {
          window.__hydratedAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
    });
    const page = await context.newPage();
    const { cdp } = await countBytes(page);
    await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOW_4G_CPU });
    await page.goto(url, { timeout: 120_000 });
    await page.waitForFunction(() => window.__hydratedAt !== undefined, null, { timeout: 120_000 });
    return await page.evaluate(() => window.__hydratedAt);
  } finally {
    await context.close();
  }
}

async function main() {
  const [base, path = '/book', runs = '3'] = process.argv.slice(2);
  if (!base) {
    process.stderr.write('usage: page-weight.cjs BASE_URL [PATH] [RUNS]\n');
    process.exit(2);
  }
  const url = new URL(path, base).toString();
  const browser = await chromium.launch(LAUNCH);
  try {
    const visits = await visitTwice(browser, url);
    for (const [name, visit] of Object.entries(visits)) {
      for (const r of visit.responses) {
        const from = r.cached ? 'cache' : 'network';
        process.stderr.write(`[page-weight] ${name} ${from} ${r.status} ${r.encoding || 'identity'} ${r.bytes} ${new URL(r.url).pathname}\n`);
      }
    }
    const times = [];
    for (let i = 0; i < Number(runs); i++) times.push(await timeToInteractive(browser, url));
    times.sort((a, b) => a - b);
    const kb = (bytes) => (bytes / 1024).toFixed(1);
    console.log(`parent_first_visit_kb ${kb(visits.first.bytes)}`);
    const fetched = (visit) => visit.responses.filter((r) => !r.cached).length;
    console.log(`parent_first_visit_requests ${fetched(visits.first)}`);
    console.log(`parent_repeat_visit_kb ${kb(visits.repeat.bytes)}`);
    console.log(`parent_repeat_visit_requests ${fetched(visits.repeat)}`);
    console.log(`parent_form_interactive_ms ${Math.round(times[Math.floor(times.length / 2)])}`);
    console.log(`parent_form_interactive_max_ms ${Math.round(times[times.length - 1])}`);
  } finally {
    await browser.close();
  }
}

module.exports = { LAUNCH, countBytes, visitTwice };

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(1);
  });
}
