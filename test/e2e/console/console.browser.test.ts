/**
 * The agent console in a real browser: Debian's Chromium driven by playwright-core against a
 * sandbox host (WhatsApp and Messenger on their fake platforms) with a ManualClock. An agent logs
 * in, sees a customer's conversation arrive live, replies inside the window, sees the reply
 * refused once the window has closed, sends an approved template instead, and transfers the
 * conversation to a colleague. Screenshots of each screen go to test-output/console/.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ManualClock, silentLogger } from '@switchboard/core';
import { createHost, type Host } from '@switchboard/host';
import { createSandbox } from '@switchboard/host/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, chromiumAvailable, launchChromium, overflow } from './chromium.js';
import { createConsoleFeature } from '../../../host/src/console/console-feature.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';

const KEY = 'console-browser-e2e-key-0123456789';
const OUT = fileURLToPath(new URL('../../../test-output/console/', import.meta.url));
const HOUR = 3_600_000;
const available = chromiumAvailable;
if (!available) console.log(`console browser tests: skipped — ${CHROMIUM} is not installed (apt-get install chromium; .ci/run does this)`);

describe.skipIf(!available)('agent console in Chromium', () => {
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
  const shot = (name: string) => page.screenshot({ path: `${OUT}${name}.png` });
  // the fake platforms stamp customer messages with wall time; the host's clock only moves when told
  const catchUp = (): void => clock.advance(Math.max(0, Date.now() - clock.now()));

  beforeAll(async () => {
    await mkdir(OUT, { recursive: true });
    const sandbox = await createSandbox({ database: tempDatabase('sandbox').path, packages: ['@switchboard/whatsapp', '@switchboard/messenger'], env: { SWITCHBOARD_API_KEY: KEY }, port: 0 });
    host = await createHost(sandbox.config, {
      logger: silentLogger, processor: { pollMs: 20, retryBaseMs: 20 }, ...sandbox.hostOptions, clock,
      features: [createConsoleFeature({
        scrypt: { N: 2 ** 12, r: 8, p: 1 },
        seedAgents: [
          { tenantId: 'sandbox', email: 'ana@example.com', password: 'ana password 1', name: 'Ana Admin', role: 'admin' },
          { tenantId: 'sandbox', email: 'ben@example.com', password: 'ben password 1', name: 'Ben Baker', role: 'agent' },
        ],
        seedSettings: {
          sandbox: {
            quickReplies: [{ id: 'hello', title: 'Greeting', text: 'Hello, this is Ana from the workshop. ' }, { id: 'bye', title: 'Closing', text: 'Thanks for writing to us!' }],
            knowledgeBase: [{ id: 'status', title: 'Order status explained', url: 'https://help.example.com/order-status', keywords: ['order', 'status'] }],
          },
        },
      })],
    });
    ({ url } = await host.listen(0, '127.0.0.1'));
    // an approved WhatsApp template, registered through the outbound API
    const t = await api('/v1/templates', { channel: 'whatsapp', name: 'order_update', language: 'en_US', category: 'utility', body: 'Hello {{1}}, your order {{2}} is ready for pick-up.' });
    expect(t.status).toBe(201);
    await api(`/v1/templates/${t.body.id}/submit`, { examples: ['Dana', 'A-17'] });
    // the fake platform approves it (as Meta's review would), and the host's registry learns so
    const whatsapp = sandbox.fakes.get('whatsapp')!.fake as unknown as { seedTemplate(t: Record<string, unknown>): unknown };
    whatsapp.seedTemplate({ name: 'order_update', language: 'en_US', category: 'UTILITY', status: 'APPROVED', components: [{ type: 'BODY', text: 'Hello {{1}}, your order {{2}} is ready for pick-up.' }] });
    const decided = await api(`/v1/templates/${t.body.id}/status`, { status: 'approved' });
    // a connector that manages templates reports the platform's decision through sync instead
    if (decided.status === 409) await api('/v1/templates/sync', {});
    expect((await api(`/v1/templates/${t.body.id}`)).body.status).toBe('approved');

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    page.on('pageerror', (e) => { throw e; });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('logs in', async () => {
    await page.goto(`${url}/console/`);
    await page.getByLabel('E-mail').fill('ana@example.com');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#login-error').textContent()).toContain('wrong');
    await page.getByLabel('Password').fill('ana password 1');
    await shot('01-login');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#inbox-list').waitFor();
    await expect.poll(() => page.locator('#live').textContent()).toBe('Live');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'sb_console_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
  });

  it('sees a sandbox conversation arrive live', async () => {
    expect(await page.locator('#inbox-list a').count()).toBe(0);
    await api('/sandbox/messenger/messages', { userId: 'psid-2201', text: 'Can a person call me back?', name: 'Theo Brandt' });
    await api('/sandbox/whatsapp/messages', { userId: '4915112345678', text: 'Hi, I need a human agent: what is the status of my order A-17?', name: 'Dana Fischer' });
    const row = page.locator('#inbox-list a', { hasText: 'Dana Fischer' });
    await row.waitFor({ timeout: 10_000 });
    await expect.poll(() => row.getAttribute('aria-label')).toMatch(/Dana Fischer on WhatsApp, pending, Queue support, 1 unread/);
    // Messenger's webhooks carry no name: the host asks the User Profile API, and the row shows the name it answered
    await page.locator('#inbox-list a', { hasText: 'Theo Brandt' }).waitFor();
    await shot('02-inbox');
  });

  it('replies inside the window after the policy allowed it', async () => {
    catchUp();
    await page.locator('#inbox-list a', { hasText: 'Dana Fischer' }).click();
    await page.locator('#transcript .msg.inbound').first().waitFor();
    await page.getByRole('button', { name: 'Take' }).click();
    await expect.poll(() => page.locator('#conv-assignee').textContent()).toBe('You');
    await expect.poll(() => page.locator('#window-status').textContent()).toMatch(/Service window open until/);
    await page.getByLabel('Saved replies').selectOption('hello');
    await page.getByLabel('Reply', { exact: true }).pressSequentially('Your car is ready.');
    await expect.poll(() => page.locator('#policy').textContent()).toContain('Can be sent');
    await page.locator('#send').click();
    const sent = page.locator('#transcript .msg.outbound', { hasText: 'Your car is ready.' });
    await sent.waitFor();
    // the tick follows the platform's receipt: queued, then sent
    await expect.poll(() => sent.locator('.ticks').getAttribute('aria-label'), { timeout: 10_000 }).toMatch(/^(sent|delivered|read)/);
    await expect.poll(() => page.locator('#inbox-list a', { hasText: 'Dana Fischer' }).getAttribute('aria-label')).not.toMatch(/unread/);
    await shot('03-conversation');
  });

  it('shows the reply blocked once the window has closed, with the time it closed', async () => {
    clock.advance(25 * HOUR);
    await page.getByLabel('Reply', { exact: true }).fill('Are you still there?');
    await expect.poll(() => page.locator('#policy').textContent()).toContain('Cannot be sent');
    const reasons = await page.locator('#policy .reasons').textContent();
    await expect.poll(() => page.locator('#window-status').textContent()).toMatch(/^Service window closed at (.+)\.$/);
    const closedAt = /closed at (.+)\.$/.exec((await page.locator('#window-status').textContent())!)![1]!;
    // the engine's reason, with its time in the agent's time zone, agrees with the banner
    expect(reasons).toContain(`Window closed — the 24 h customer-service window closed at ${closedAt}`);
    expect(await page.locator('#send').isDisabled()).toBe(true);
    await page.getByLabel('Template', { exact: true }).waitFor();
    await shot('04-window-closed');
  });

  it('sends an approved template instead', async () => {
    await page.getByLabel('Parameter {{1}}').fill('Dana');
    await page.getByLabel('Parameter {{2}}').fill('A-17');
    await expect.poll(() => page.locator('#template-preview').textContent()).toBe('Hello Dana, your order A-17 is ready for pick-up.');
    await page.getByRole('button', { name: 'Send template' }).click();
    const sent = page.locator('#transcript .msg.outbound', { hasText: 'Hello Dana, your order A-17 is ready for pick-up.' });
    await sent.locator('.template').waitFor({ timeout: 10_000 });
    await expect.poll(() => sent.locator('.ticks').getAttribute('aria-label'), { timeout: 10_000 }).toMatch(/^(sent|delivered|read)/);
    await expect.poll(() => page.locator('#policy').textContent()).toContain('Template sent');
    await shot('05-template-sent');
  });

  it('transfers the conversation to another agent, who finds it in their inbox', async () => {
    await page.getByLabel('Transfer to').selectOption({ label: 'Ben Baker' });
    await page.getByRole('button', { name: 'Transfer' }).click();
    await expect.poll(() => page.locator('#conv-assignee').textContent()).toBe('Ben Baker');
    await shot('06-transferred');

    const ben = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await ben.goto(`${url}/console/`);
    await ben.getByLabel('E-mail').fill('ben@example.com');
    await ben.getByLabel('Password').fill('ben password 1');
    await ben.keyboard.press('Enter');
    await ben.getByLabel('Assignee').selectOption('me');
    const row = ben.locator('#inbox-list a', { hasText: 'Dana Fischer' });
    await row.waitFor();
    // keyboard only: focus the list, open with Enter
    await row.focus();
    await ben.keyboard.press('Enter');
    await ben.locator('#transcript .template').waitFor();
    expect(await ben.locator('#nav-supervisor').count()).toBe(0);
    await ben.close();
  });

  it('shows the team view to the admin', async () => {
    await page.getByRole('link', { name: 'Team' }).click();
    const ben = page.locator('tr', { hasText: 'Ben Baker' });
    await ben.waitFor();
    expect(await ben.locator('td').nth(2).textContent()).toBe('1');
    await shot('07-team');
  });

  /** A new page at a viewport, signed in as Ana, on the inbox. */
  const signedIn = async (width: number, height: number): Promise<Page> => {
    const p = await browser.newPage({ viewport: { width, height }, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    await p.goto(`${url}/console/`);
    await p.getByLabel('E-mail').fill('ana@example.com');
    await p.getByLabel('Password').fill('ana password 1');
    await p.keyboard.press('Enter');
    await p.locator('#inbox-list a').first().waitFor();
    return p;
  };
  const box = async (p: Page, selector: string) => (await p.locator(selector).first().boundingBox());

  it('on a phone (390 × 844) shows one pane at a time, with a way back, and nothing wider than the screen', async () => {
    const phone = await signedIn(390, 844);
    try {
      // the list alone: no conversation pane beside it, no horizontal scrolling, names on one line
      expect(await phone.locator('#conversation').isVisible()).toBe(false);
      expect(await overflow(phone)).toBe(0);
      await api('/sandbox/messenger/messages', { userId: 'psid-3301', text: 'Is the workshop open on Saturday?', name: 'Mia Koch' });
      const row = phone.locator('#inbox-list a', { hasText: 'Mia Koch' });
      await row.locator('.unread-count').waitFor({ timeout: 10_000 });
      // read once the row has settled: the list re-renders it when the conversation is updated (the
      // profile lookup), and a box read in between is null (regression: a run under load failed so)
      const settledBox = async (selector: string) => {
        for (let tries = 0; tries < 50; tries++) {
          const b = await row.locator(selector).boundingBox();
          if (b) return b;
          await row.locator(selector).waitFor({ state: 'visible', timeout: 10_000 });
        }
        throw new Error(`${selector} kept being re-rendered`);
      };
      const name = await settledBox('.name');
      expect(name.width).toBeGreaterThan(150);
      // the unread badge is round: as wide as it is high
      const badge = await settledBox('.unread-count');
      expect(Math.abs(badge.width - badge.height)).toBeLessThan(1);
      await phone.screenshot({ path: `${OUT}08-phone-inbox.png` });
      // the conversation alone, its contact below it, and a way back to the list
      await phone.locator('#inbox-list a', { hasText: 'Dana Fischer' }).click();
      await phone.locator('#transcript .msg').first().waitFor();
      expect(await phone.locator('.inbox').isVisible()).toBe(false);
      expect(await phone.locator('#contact').isVisible()).toBe(true);
      expect(await overflow(phone)).toBe(0);
      const transcript = await box(phone, '#transcript');
      expect(transcript!.width).toBeGreaterThan(300);
      await phone.screenshot({ path: `${OUT}09-phone-conversation.png` });
      await phone.getByRole('link', { name: '← Inbox' }).click();
      await expect.poll(() => phone.locator('.inbox').isVisible()).toBe(true);
      expect(await phone.locator('#conversation').isVisible()).toBe(false);
    } finally {
      await phone.close();
    }
  });

  it('on a laptop (1366 × 768) shows the list, the conversation and the contact side by side', async () => {
    const laptop = await signedIn(1366, 768);
    try {
      await laptop.locator('#inbox-list a', { hasText: 'Dana Fischer' }).click();
      await laptop.locator('#transcript .msg').first().waitFor();
      expect(await overflow(laptop)).toBe(0);
      const [list, conversation, contact] = [await box(laptop, '.inbox'), await box(laptop, '#conversation'), await box(laptop, '#contact')];
      expect(list!.x + list!.width).toBeLessThanOrEqual(conversation!.x + 1);
      expect(conversation!.x + conversation!.width).toBeLessThanOrEqual(contact!.x + 1);
      expect(await laptop.getByRole('link', { name: '← Inbox' }).isVisible()).toBe(false);
      await laptop.screenshot({ path: `${OUT}10-laptop-conversation.png` });
    } finally {
      await laptop.close();
    }
  });
});
