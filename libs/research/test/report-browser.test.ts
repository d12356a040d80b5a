// Renders the report in headless Chromium (Debian's /usr/bin/chromium, installed by
// tools/ci/ensure-chromium.sh) and checks that each chart is really drawn: paths with many
// points, coloured pixels in a screenshot, heat-map cells, table rows. In CI a missing browser
// fails the run; elsewhere the suite is skipped with a message.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { buildReportData, renderReport } from '../src';
import { reportInput } from './report-fixture';

// What the functions passed to page.evaluate use: they run in the browser, which has them (the
// tests compile against Node's types, without the DOM's).
declare const Image: new () => { src: string; width: number; height: number; decode(): Promise<void> };
declare const document: { createElement(tag: 'canvas'): BrowserCanvas };
interface SVGGraphicsElement {
  getBoundingClientRect(): { width: number; height: number };
}
interface BrowserCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { drawImage(img: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const present = existsSync(CHROMIUM);

if (!present && process.env.CI === 'true') {
  test('Chromium is installed for the report rendering test', () => {
    throw new Error(`${CHROMIUM} is missing: .ci/run must call tools/ci/ensure-chromium.sh before the tests (or set CHROMIUM_PATH)`);
  });
} else if (!present) {
  console.warn(`report-browser: skipped, ${CHROMIUM} is missing (run tools/ci/ensure-chromium.sh or set CHROMIUM_PATH)`);
}

(present ? describe : describe.skip)('report in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const input = reportInput();
  const expected = buildReportData(input);

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
    // Any request at all would be the page reaching out: it must be self-contained.
    page.on('request', (r) => !r.url().startsWith('data:') && r.url() !== 'about:blank' && errors.push(`request: ${r.url()}`));
    await page.setContent(renderReport(input), { waitUntil: 'load' });
    await page.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('runs its script without an error and fetches nothing', () => {
    expect(errors).toEqual([]);
  });

  /** Pixels of the element's screenshot whose colour is near `rgb`, counted in a blank page. */
  async function pixelsNear(selector: string, rgb: [number, number, number], tolerance = 60): Promise<number> {
    const png = (await page.locator(selector).screenshot()).toString('base64');
    const scratch = await browser.newPage();
    try {
      return await scratch.evaluate(
        async ({ png, rgb, tolerance }) => {
          const img = new Image();
          img.src = `data:image/png;base64,${png}`;
          await img.decode();
          const c = document.createElement('canvas');
          c.width = img.width;
          c.height = img.height;
          const g = c.getContext('2d')!;
          g.drawImage(img, 0, 0);
          const d = g.getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) {
            if (Math.abs(d[i]! - rgb[0]) + Math.abs(d[i + 1]! - rgb[1]) + Math.abs(d[i + 2]! - rgb[2]) < tolerance) n++;
          }
          return n;
        },
        { png, rgb, tolerance },
      );
    } finally {
      await scratch.close();
    }
  }

  async function pathPoints(selector: string): Promise<{ points: number; width: number; height: number }> {
    return page.$eval(selector, (el) => {
      const d = el.getAttribute('d') ?? '';
      const box = (el as unknown as SVGGraphicsElement).getBoundingClientRect();
      return { points: (d.match(/[ML]/g) ?? []).length, width: box.width, height: box.height };
    });
  }

  it('draws the equity curve through every thinned point, across the chart', async () => {
    const eq = await pathPoints('#equity-chart path.line');
    expect(eq.points).toBe(expected.equity.length);
    expect(eq.points).toBeGreaterThan(1000);
    expect(eq.width).toBeGreaterThan(800);
    expect(eq.height).toBeGreaterThan(100);
    // The stroke colour (#2563eb) is on screen, along a long line.
    expect(await pixelsNear('#equity-chart', [0x25, 0x63, 0xeb])).toBeGreaterThan(800);
  });

  it('draws the drawdown as a line and a filled area', async () => {
    const dd = await pathPoints('#drawdown-chart path.line');
    expect(dd.points).toBe(expected.drawdown.length);
    expect(dd.height).toBeGreaterThan(100);
    expect(await page.locator('#drawdown-chart path.area').count()).toBe(1);
    expect(await pixelsNear('#drawdown-chart', [0xdc, 0x26, 0x26])).toBeGreaterThan(800);
  });

  it('fills the monthly returns heat map: one cell per month with data, plus the year totals', async () => {
    const months = expected.monthly.cells.flat().filter((v) => v !== null).length;
    const years = expected.monthly.years.length;
    expect(months).toBe(15);
    expect(await page.locator('#monthly-heatmap rect.cell').count()).toBe(years * 13);
    expect(await page.locator('#monthly-heatmap rect.cell:not(.empty)').count()).toBe(months + years);
    const labels = await page.locator('#monthly-heatmap text.val').allTextContents();
    expect(labels).toContain((expected.monthly.cells[0]![10]! * 100).toFixed(1));
    // Both gains (green) and the drawdown months (red) are coloured in.
    expect(await pixelsNear('#monthly-heatmap', [0x16, 0xa3, 0x4a], 150)).toBeGreaterThan(200);
    expect(await pixelsNear('#monthly-heatmap', [0xdc, 0x26, 0x26], 150)).toBeGreaterThan(200);
  });

  it('fills the parameter heat map with one cell per parameter pair', async () => {
    expect(await page.locator('#param-heatmap rect.cell').count()).toBe(30);
    expect(await page.locator('#param-heatmap rect.cell:not(.empty)').count()).toBe(30);
    expect(await page.locator('#param-axes').textContent()).toContain('slow (rows) × fast (columns)');
    const title = await page.locator('#param-heatmap rect.cell').first().locator('title').textContent();
    expect(title).toMatch(/^slow=50, fast=5: -?\d/);
    expect((await page.locator('#param-heatmap').boundingBox())!.width).toBeGreaterThan(300);
  });

  it('lists every trade and the walk-forward windows', async () => {
    expect(await page.locator('#trades tbody tr').count()).toBe(57);
    expect(await page.locator('#trades tbody tr').nth(3).locator('td').allTextContents()).toEqual([
      '4', 'BTC-USDT', 'short', '2023-12-06 00:00', '2023-12-08 00:00', '103.5', '104.25', '0.01', '3.75', '0.02', '3.73',
    ]);
    expect(await page.locator('#trade-count').textContent()).toBe('57 round trips');
    expect(await page.locator('#windows tbody tr').count()).toBe(1);
    expect(await page.locator('#summary tbody td').first().textContent()).toBe('100000');
  });
});
