// The HTML report as a person sees it: rendered by headless Chromium (Debian's `chromium`,
// driven by playwright-core; never a downloaded browser). Asserts on the rendered page and
// leaves a screenshot in test-artifacts/ to look at. CI installs chromium (.ci/run); locally
// the test is skipped, with a message, when it is not installed.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { renderHtml } from '../../src/report/html.js';
import { businessDateOfRecord } from '../../src/classify/findings.js';
import { demoResult, ROOT } from './demo.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run should have installed it (apt-get install -y chromium)`);
  console.warn(`skipping the HTML report browser test: ${CHROMIUM} not found (install it with: apt-get install -y chromium)`);
}

const ARTIFACTS = join(ROOT, 'test-artifacts');

describe.skipIf(!haveChromium)('HTML report in headless Chromium', () => {
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const errors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    const { result, contract } = demoResult();
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'report-demo.html');
    writeFileSync(file, renderHtml(result, { dateOf: (r) => businessDateOfRecord(r, contract) }));
    profile = mkdtempSync(join(tmpdir(), 'posrecon-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false,
      args: FLAGS, // the fresh profile directory goes in as --user-data-dir (playwright passes it)
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('loads without errors and without touching the network', () => {
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
  });

  it('shows the summary and the per-day chart with the gaps highlighted', async () => {
    await expect(page.locator('h1').textContent()).resolves.toBe('posrecon reconcile — as of 2025-10-09');
    await expect(page.locator('#summary .headline').textContent()).resolves.toBe('10 exception(s) need attention:');
    const chart = page.locator('#daily-chart');
    expect(await chart.isVisible()).toBe(true);
    const box = await chart.boundingBox();
    expect(box!.width).toBeGreaterThan(600);
    expect(box!.height).toBeGreaterThan(250);
    expect(await chart.locator('rect.bar[data-series="expected"]').count()).toBe(7);
    expect(await chart.locator('rect.bar[data-series="settled"]').count()).toBe(7);
    expect(await chart.locator('rect.bar[data-series="credited"]').count()).toBe(0); // no bank leg: simply absent
    expect(await chart.locator('rect.hl-gap').evaluateAll((els) => els.map((e) => e.getAttribute('data-date')))).toEqual([
      '2025-09-29', '2025-09-30', '2025-10-02', '2025-10-03',
    ]);
    expect(await chart.locator('rect.hl-pending').getAttribute('data-date')).toBe('2025-10-09');
    // The tallest bar is the 09-29 settled total, and it is really drawn (non-zero height).
    const heights = await chart.locator('rect.bar').evaluateAll((els) => els.map((e) => (e as SVGGraphicsElement).getBBox().height));
    expect(Math.max(...heights)).toBeGreaterThan(150);
  });

  it('shows the per-terminal fee chart', async () => {
    const rows = page.locator('#fee-chart g.fee-row');
    expect(await rows.count()).toBe(2);
    expect(await page.locator('#fee-chart g.fee-row.over').getAttribute('data-terminal')).toBe('10000001');
    expect(await page.locator('#fee-chart').textContent()).toContain('+¥5.60 over');
  });

  it('shows one exception table per kind with every exception', async () => {
    const tables = page.locator('#exceptions table.sortable');
    expect(await tables.count()).toBe(7);
    expect(await page.locator('#exceptions tbody tr').count()).toBe(10);
    expect(await page.locator('#findings-dropped_order').isVisible()).toBe(true);
  });

  it('sorts a column when its header is clicked, numerically for money', async () => {
    const table = page.locator('#findings-dropped_order');
    const amounts = () => table.locator('tbody td:nth-child(2)').allTextContents();
    expect(await amounts()).toEqual(['¥588.00', '¥300.00']); // newest first
    await table.locator('th', { hasText: 'Amount' }).locator('button').click();
    expect(await amounts()).toEqual(['¥300.00', '¥588.00']);
    expect(await table.locator('th', { hasText: 'Amount' }).getAttribute('aria-sort')).toBe('ascending');
    await table.locator('th', { hasText: 'Amount' }).locator('button').click();
    expect(await amounts()).toEqual(['¥588.00', '¥300.00']);

    // Numbers with signs and thousands separators sort as numbers, not as text.
    await page.locator('#daily summary').click();
    const daily = page.locator('#daily-table');
    await daily.locator('th', { hasText: 'Settled − expected' }).locator('button').click();
    expect(await daily.locator('tbody td:nth-child(4)').allTextContents()).toEqual([
      '-¥260.00', '¥0.00', '¥0.00', '¥212.00', '¥588.00', '¥620.00', '¥1,000.00',
    ]);
    await daily.locator('th', { hasText: 'Business day' }).locator('button').click();
    expect(await daily.locator('tbody td:nth-child(1)').allTextContents()).toEqual([
      '2025-09-29', '2025-09-30', '2025-10-01', '2025-10-02', '2025-10-03', '2025-10-05', '2025-10-09',
    ]);
  });

  it('leaves a screenshot in test-artifacts/', async () => {
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
    const shot = join(ARTIFACTS, 'report-demo.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot)).toBe(true);
  });
});
