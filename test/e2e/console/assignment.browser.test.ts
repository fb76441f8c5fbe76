/**
 * Presence and SLA badges in a real browser at 390 × 844: an agent switches to Online in the top
 * bar, a customer asking for a human is assigned to them automatically, the inbox row shows its SLA
 * badge, which turns to "SLA breached" when the host's (manual) clock passes the due time — and
 * nothing is wider than the screen. Screenshots go to test-output/console/.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ManualClock, silentLogger } from '@switchboard/core';
import { createHost, type Host, type TenantConfig } from '@switchboard/host';
import { createSandbox } from '@switchboard/host/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, overflow } from './chromium.js';
import { AssignmentService, type AssignmentServiceImpl } from '../../../host/src/assignment/assignment-service.js';
import { createConsoleFeature } from '../../../host/src/console/console-feature.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';

const KEY = 'console-assignment-e2e-key-0123456789';
const OUT = fileURLToPath(new URL('../../../test-output/console/', import.meta.url));
const available = chromiumAvailable;

describe.skipIf(!available)('presence and SLA badges in Chromium (390 × 844)', () => {
  let host: Host;
  let url: string;
  let browser: Browser;
  let page: Page;
  const clock = new ManualClock(Date.now());
  const api = async (path: string, body?: unknown): Promise<{ status: number; body: ReturnType<typeof JSON.parse> }> => {
    const res = await fetch(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    await mkdir(OUT, { recursive: true });
    const sandbox = await createSandbox({ database: tempDatabase('sandbox').path, packages: ['@switchboard/whatsapp'], env: { SWITCHBOARD_API_KEY: KEY }, port: 0 });
    const tenant = sandbox.config.tenants[0] as TenantConfig;
    tenant.assignment = { defaultCapacity: 2, queues: { support: { strategy: 'round-robin', autoAssign: true, sla: { firstResponseMinutes: 30, dueSoonMinutes: 5 } } } };
    host = await createHost(sandbox.config, {
      logger: silentLogger, processor: { pollMs: 20, retryBaseMs: 20 }, ...sandbox.hostOptions, clock,
      features: [createConsoleFeature({
        scrypt: { N: 2 ** 12, r: 8, p: 1 },
        seedAgents: [{ tenantId: 'sandbox', email: 'ben@example.com', password: 'ben password 1', name: 'Ben Baker', role: 'agent' }],
      })],
    });
    ({ url } = await host.listen(0, '127.0.0.1'));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    page.on('pageerror', (e) => { throw e; });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });


  it('switches to Online, gets the waiting customer, and shows the SLA badge until it is breached', async () => {
    await page.goto(`${url}/console/`);
    await page.getByLabel('E-mail').fill('ben@example.com');
    await page.getByLabel('Password').fill('ben password 1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#inbox-list').waitFor();
    const presence = page.getByLabel('Your presence');
    await presence.waitFor();
    expect(await presence.inputValue()).toBe('offline');
    await presence.selectOption('online');
    await expect.poll(async () => (await api('/v1/presence')).body.items.map((p: { name: string; status: string }) => `${p.name}:${p.status}`)).toEqual(['Ben Baker:online']);

    await api('/sandbox/whatsapp/messages', { userId: '4915112345678', text: 'I need a human agent, please', name: 'Dana Fischer' });
    const row = page.locator('#inbox-list a', { hasText: 'Dana Fischer' });
    await row.waitFor({ timeout: 10_000 });
    await expect.poll(() => row.getAttribute('aria-label'), { timeout: 10_000 }).toMatch(/Dana Fischer on WhatsApp, pending, You/);
    await expect.poll(() => row.locator('.sla-badge').textContent(), { timeout: 10_000 }).toMatch(/^Reply by \d\d:\d\d$/);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${OUT}assignment-390-running.png` });

    clock.advance(31 * 60_000);
    await host.container.get<AssignmentServiceImpl>(AssignmentService).tick();
    await page.reload();
    await expect.poll(() => page.locator('#inbox-list a', { hasText: 'Dana Fischer' }).locator('.sla-badge').textContent(), { timeout: 10_000 }).toBe('SLA breached');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${OUT}assignment-390-breached.png` });
  }, 60_000);
});
