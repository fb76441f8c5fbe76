/**
 * The contact panel's CRM section and saved replies with variables, in Debian's Chromium driven by
 * playwright-core, against a sandbox host whose config has a contact-context provider: on a phone
 * (390 × 844) and a laptop (1366 × 768), the panel shows the CRM's name, customer id and open job
 * with its link and nothing is wider than the screen; picking a saved reply inserts it rendered
 * for the contact. Screenshots go to test-output/console/.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@switchboard/core';
import { createHost, type Host } from '@switchboard/host';
import { createSandbox } from '@switchboard/host/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, overflow } from './chromium.js';
import { createConsoleFeature } from '../../../host/src/console/console-feature.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';

const KEY = 'console-crm-browser-key-0123456789';
const OUT = fileURLToPath(new URL('../../../test-output/console/', import.meta.url));
const available = chromiumAvailable;

describe.skipIf(!available)('the console\'s CRM section and rendered saved replies in Chromium', () => {
  let host: Host;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    await mkdir(OUT, { recursive: true });
    const sandbox = await createSandbox({ database: tempDatabase('crm-browser').path, packages: ['@switchboard/whatsapp'], env: { SWITCHBOARD_API_KEY: KEY }, port: 0 });
    const config = {
      ...sandbox.config,
      contactContext: {
        provider: ({ addresses }: { addresses: { userId: string }[] }) => (addresses.some((a) => a.userId === '4915112340001') ? {
          displayName: 'Jonas Weber', customerId: 'CU-7001', attributes: { vehicle: 'VW Golf', plate: 'B-KW 2481' },
          orders: [{ id: 'SO-1042', title: 'VW Golf (B-KW 2481): annual service and a very long description of the work that must wrap on a phone', status: 'being cleaned', url: 'https://crm.autohaus-kowalski.example/jobs/SO-1042' }],
        } : undefined),
        ttlMs: 300_000, failureTtlMs: 30_000,
      },
    };
    host = await createHost(config, {
      logger: silentLogger, processor: { pollMs: 20, retryBaseMs: 20 }, ...sandbox.hostOptions,
      features: [createConsoleFeature({
        scrypt: { N: 2 ** 12, r: 8, p: 1 },
        seedAgents: [{ tenantId: 'sandbox', email: 'ana@example.com', password: 'ana password 1', name: 'Ana Admin', role: 'admin' }],
        seedSettings: { sandbox: { quickReplies: [{ id: 'status', title: 'Job status', text: 'Hello {{crm.displayName}}, {{crm.orders.0.id}} is {{crm.orders.0.status}}.' }], knowledgeBase: [] } },
      })],
    });
    ({ url } = await host.listen(0, '127.0.0.1'));
    const sent = await fetch(`${url}/sandbox/whatsapp/messages`, {
      method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: '4915112340001', text: 'Is my car ready?', name: 'jonas' }),
    });
    expect(sent.status).toBe(202);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  const signedIn = async (width: number, height: number): Promise<Page> => {
    const p = await browser.newPage({ viewport: { width, height }, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    p.on('pageerror', (e) => { throw e; });
    await p.goto(`${url}/console/`);
    await p.getByLabel('E-mail').fill('ana@example.com');
    await p.getByLabel('Password').fill('ana password 1');
    await p.keyboard.press('Enter');
    await p.locator('#inbox-list a').first().waitFor({ timeout: 10_000 });
    return p;
  };

  for (const [width, height, name] of [[390, 844, 'phone'], [1366, 768, 'laptop']] as const) {
    it(`on a ${name} (${width} × ${height}) shows the CRM's context in the contact panel and inserts a rendered saved reply`, async () => {
      const p = await signedIn(width, height);
      try {
        await p.locator('#inbox-list a').first().click();
        await p.locator('#transcript .msg').first().waitFor();
        const crm = p.locator('.crm-context');
        await crm.locator('.crm-name').waitFor({ timeout: 10_000 });
        expect(await crm.locator('.crm-name').textContent()).toBe('Jonas Weber');
        expect(await crm.textContent()).toContain('CU-7001');
        expect(await crm.locator('a', { hasText: 'SO-1042' }).getAttribute('href')).toBe('https://crm.autohaus-kowalski.example/jobs/SO-1042');
        expect(await crm.locator('a', { hasText: 'SO-1042' }).getAttribute('rel')).toBe('noopener noreferrer');
        expect(await overflow(p)).toBe(0);
        await crm.scrollIntoViewIfNeeded();
        await p.screenshot({ path: `${OUT}crm-${name}-contact.png`, fullPage: false });
        await p.getByLabel('Saved replies').selectOption('status');
        await expect.poll(() => p.getByLabel('Reply', { exact: true }).inputValue()).toBe('Hello Jonas Weber, SO-1042 is being cleaned.');
      } finally {
        await p.close();
      }
    }, 60_000);
  }
});
