/**
 * The console's search box in a real browser (Debian's Chromium through playwright-core) against a
 * sandbox host: customers write on WhatsApp and Messenger through the fake platforms, an agent
 * searches, sees the matching words marked (built as elements around text, so a customer's markup
 * shows as text), opens a hit, and clears the search. At 1366 × 768 and at 390 × 844 (one pane at a
 * time). Screenshots go to test-output/console/.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@switchboard/core';
import { createHost, type Host } from '@switchboard/host';
import { createSandbox } from '@switchboard/host/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from './chromium.js';
import { createConsoleFeature } from '../../../host/src/console/console-feature.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';

const KEY = 'console-search-e2e-key-0123456789';
const OUT = fileURLToPath(new URL('../../../test-output/console/', import.meta.url));
const available = chromiumAvailable;

describe.skipIf(!available)('console search in Chromium', () => {
  let host: Host;
  let url: string;
  let browser: Browser;
  const api = async (path: string, body: unknown): Promise<number> => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await res.text();
    return res.status;
  };

  beforeAll(async () => {
    await mkdir(OUT, { recursive: true });
    const sandbox = await createSandbox({ database: tempDatabase('search-sandbox').path, packages: ['@switchboard/whatsapp', '@switchboard/messenger'], env: { SWITCHBOARD_API_KEY: KEY }, port: 0 });
    host = await createHost(sandbox.config, {
      logger: silentLogger, processor: { pollMs: 20, retryBaseMs: 20 }, ...sandbox.hostOptions,
      features: [createConsoleFeature({
        scrypt: { N: 2 ** 12, r: 8, p: 1 },
        seedAgents: [{ tenantId: 'sandbox', email: 'ana@example.com', password: 'ana password 1', name: 'Ana Admin', role: 'admin' }],
      })],
    });
    ({ url } = await host.listen(0, '127.0.0.1'));
    browser = await launchChromium();
    expect(await api('/sandbox/whatsapp/messages', { userId: '4915112345678', text: 'The <b>brake</b> light of my Golf is on', name: 'Dana Fischer' })).toBeLessThan(300);
    expect(await api('/sandbox/messenger/messages', { userId: 'psid-3301', text: 'When is the workshop open on Saturday?', name: 'Mia Koch' })).toBeLessThan(300);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  const login = async (width: number, height: number): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width, height }, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    page.on('pageerror', (e) => { throw e; });
    await page.goto(`${url}/console/`);
    await page.getByLabel('E-mail').fill('ana@example.com');
    await page.getByLabel('Password').fill('ana password 1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#inbox-list a', { hasText: 'Dana Fischer' }).waitFor({ timeout: 15_000 });
    return page;
  };

  for (const [width, height] of [[1366, 768], [390, 844]] as const) {
    it(`finds a message, marks the words, opens the hit and clears the search (${width} × ${height})`, async () => {
      const page = await login(width, height);
      await page.getByRole('searchbox', { name: 'Search' }).fill('brake light');
      // the sandbox's echo bot answered "You said: …": that reply matches too
      await expect.poll(() => page.locator('#search-results a', { hasText: 'Dana Fischer' }).count(), { timeout: 10_000 }).toBe(2);
      const hit = page.locator('#search-results a', { hasText: 'Dana Fischer' }).filter({ hasNotText: 'You said' });
      await hit.waitFor({ timeout: 10_000 });
      expect(await page.locator('#inbox-list').isHidden()).toBe(true);
      expect(await hit.locator('mark').allTextContents()).toEqual(['brake', 'light']);
      // the customer's markup is text, never elements
      expect(await hit.locator('.preview').textContent()).toContain('The <b>brake</b> light of my Golf is on');
      expect(await hit.locator('b').count()).toBe(0);
      // the results fit the pane: nothing wider than the screen
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.screenshot({ path: `${OUT}search-${width}.png` });

      await page.getByRole('searchbox', { name: 'Search' }).fill('4915112');
      await page.locator('#search-results a mark', { hasText: '4915112' }).waitFor({ timeout: 10_000 });

      await page.getByRole('searchbox', { name: 'Search' }).fill('saturday');
      const other = page.locator('#search-results a', { hasText: 'Mia Koch' }).filter({ hasNotText: 'You said' });
      await other.waitFor({ timeout: 10_000 });
      await other.click();
      await page.locator('#transcript .msg.inbound', { hasText: 'Saturday' }).waitFor();
      if (width < 700) await page.goBack();

      await page.getByRole('searchbox', { name: 'Search' }).fill('nothingmatchesthis');
      await expect.poll(() => page.locator('#search-status').textContent()).toContain('No results');
      await page.getByRole('searchbox', { name: 'Search' }).press('Escape');
      expect(await page.locator('#search-results').isHidden()).toBe(true);
      expect(await page.locator('#inbox-list').isVisible()).toBe(true);
      await page.close();
    }, 60_000);
  }
});
