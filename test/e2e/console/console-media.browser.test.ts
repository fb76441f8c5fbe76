/**
 * Files in the agent console, in a real browser: Debian's Chromium driven by playwright-core against
 * a sandbox host with WhatsApp on its fake platform.
 *
 * A customer sends a photo of the damage: the platform's first answer about the file fails, so the
 * console shows "fetching…" until the host's retry stores it — then, with no reload, the photo
 * appears inline: loaded in the browser, through a short-lived signed URL that answers the same
 * bytes the platform held. The agent attaches a PDF quote in the composer; the policy allows it, it
 * is sent, and WhatsApp holds exactly its bytes. A voice message plays in the browser's own player.
 * The screenshot of that conversation is the console
 * README's (host/src/console/docs/conversation-media.png). The same view is checked at 390 px.
 *
 * Nothing here is judged on time: every wait is for an element or a condition.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { samplePdf, silentLogger, type FakePlatform, type MediaRef } from '@switchboard/core';
import { createHost, type Host, type HostMessage } from '@switchboard/host';
import { createSandbox, sandboxWebhookUrl, type Sandbox } from '@switchboard/host/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, chromiumAvailable, launchChromium } from './chromium.js';
import { createConsoleFeature } from '../../../host/src/console/console-feature.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';
import { eventually } from '../support/host-harness.js';
import { damagePhoto, voiceNote } from './sample-files.js';

const KEY = 'console-media-browser-key-0123456789';
const OUT = fileURLToPath(new URL('../../../test-output/console/', import.meta.url));
const DOCS = fileURLToPath(new URL('../../../host/src/console/docs/', import.meta.url));
/** The README's screenshot: written when missing, or again with SWITCHBOARD_DOCS_SCREENSHOTS=1 (so a test run leaves the tree clean). */
const DOCS_SHOT = `${DOCS}conversation-media.png`;
/** The host retries a failed download after this long on its clock: the test moves the clock to let it. */
const RETRY_MS = 10 * 60_000;
const DANA = '4915112340077';
const available = chromiumAvailable;
if (!available) console.log(`console media browser tests: skipped — ${CHROMIUM} is not installed (apt-get install chromium; .ci/run does this)`);

const sha = (b: Buffer | ArrayBuffer): string => createHash('sha256').update(Buffer.from(b as ArrayBuffer)).digest('hex');

describe.skipIf(!available)('files in the agent console, in Chromium', () => {
  let sandbox: Sandbox;
  let host: Host;
  let url: string;
  let browser: Browser;
  let page: Page;
  let whatsapp: FakePlatform;
  const photo = damagePhoto();
  const quote = samplePdf('Quote A-17: door panel, paint and labour — 480.00 EUR');
  const api = async (path: string, body?: unknown): Promise<{ status: number; body: ReturnType<typeof JSON.parse> }> => {
    const res = await fetch(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const transcript = () => page.locator('#transcript');
  const shot = (name: string) => page.screenshot({ path: `${OUT}${name}.png` });

  beforeAll(async () => {
    await mkdir(OUT, { recursive: true });
    sandbox = await createSandbox({ database: tempDatabase('console-media').path, packages: ['@switchboard/whatsapp'], env: { SWITCHBOARD_API_KEY: KEY }, port: 0 });
    whatsapp = sandbox.fakes.get('whatsapp')!.fake;
    host = await createHost(sandbox.config, {
      logger: silentLogger, processor: { pollMs: 20, retryBaseMs: 20 }, ...sandbox.hostOptions,
      // a failed download comes back only when the test moves the host's clock past RETRY_MS
      mediaFetcher: { retryBaseMs: RETRY_MS, retryMaxMs: RETRY_MS, random: () => 0.99, pollMs: 50 },
      features: [createConsoleFeature({
        scrypt: { N: 2 ** 12, r: 8, p: 1 },
        seedAgents: [{ tenantId: 'sandbox', email: 'ana@example.com', password: 'ana password 1', name: 'Ana Admin', role: 'admin' }],
      })],
    });
    ({ url } = await host.listen(0, '127.0.0.1'));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    page.on('pageerror', (e) => { throw e; });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('logs in and opens the customer\'s conversation', async () => {
    await page.goto(`${url}/console/`);
    await page.getByLabel('E-mail').fill('ana@example.com');
    await page.getByLabel('Password').fill('ana password 1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#live').textContent()).toBe('Live');
    expect((await api('/sandbox/whatsapp/messages', { userId: DANA, name: 'Dana Fischer', text: 'Hello, I need an agent: someone dented my car door in your car park. What would the repair cost?' })).status).toBe(202);
    const row = page.locator('#inbox-list a', { hasText: 'Dana Fischer' });
    await row.click();
    await transcript().locator('.msg.inbound').first().waitFor();
  });

  it('shows the customer\'s photo as "fetching…", then inline once the host stored it, through a signed URL serving the platform\'s bytes', async () => {
    // the platform's first answer about the file fails: the host will retry later
    whatsapp.script([{ status: 503, body: { error: { message: 'Service temporarily unavailable', type: 'OAuthException', code: 2, fbtrace_id: 'AbC' } } }], /^\/v[\d.]+\/\d+$/);
    const webhook = whatsapp.simulate!({ kind: 'media', userId: DANA, name: 'Dana Fischer', mediaType: 'image', caption: 'This is the dent', file: { body: photo, mimeType: 'image/png', filename: 'IMG_2041.png' } });
    expect((await whatsapp.deliver(sandboxWebhookUrl(url, 'whatsapp'), webhook)).status).toBe(200);
    const figure = transcript().locator('figure.media-image');
    await figure.locator('.media-state.pending', { hasText: 'fetching…' }).waitFor();
    expect(await figure.locator('figcaption').textContent()).toBe('This is the dent');
    await shot('media-01-fetching');

    // the retry falls due: the fetch settles and the open conversation updates by itself
    sandbox.clock.advance(RETRY_MS);
    const img = figure.locator('img');
    await img.waitFor();
    await img.scrollIntoViewIfNeeded();
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth)).toBe(360);
    expect(await img.getAttribute('alt')).toBe('This is the dent');
    const src = (await img.getAttribute('src'))!;
    expect(src).toMatch(/^\/media\/[A-Za-z0-9_-]+\?tenant=sandbox&exp=\d+&sig=[A-Za-z0-9_-]{43}$/);
    // the signed URL alone (no cookie, no key) answers the bytes the platform held
    const messageId = (await figure.locator('xpath=ancestor::li[@data-message-id]').getAttribute('data-message-id'))!;
    const stored = await host.stores.messages.get('sandbox', messageId) as HostMessage & { content: { media: MediaRef } };
    const held = whatsapp.storedMedia!(stored.content.media);
    expect(held && sha(held)).toBe(sha(photo));
    const res = await fetch(new URL(src, url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(sha(await res.arrayBuffer())).toBe(sha(held!));
    // the picture opens in full from a keyboard-reachable link named by its alt text
    expect(await figure.getByRole('link', { name: 'This is the dent' }).count()).toBe(1);
  });

  it('attaches a PDF in the composer and sends it: WhatsApp holds exactly its bytes', async () => {
    await page.getByLabel('Attach a file').setInputFiles({ name: 'quote-A17.pdf', mimeType: 'application/pdf', buffer: quote });
    await expect.poll(() => page.locator('#attachment').textContent()).toContain('ready to send');
    await page.getByLabel('Reply', { exact: true }).fill('Here is our quote for the repair.');
    await expect.poll(() => page.locator('#policy').textContent()).toContain('Can be sent');
    const before = whatsapp.sentMessages!().length;
    await page.locator('#send').click();
    const sent = transcript().locator('.msg.outbound', { hasText: 'Here is our quote for the repair.' });
    const link = sent.locator('a.download');
    await link.waitFor();
    expect(await link.getAttribute('download')).toBe('quote-A17.pdf');
    expect(await link.textContent()).toMatch(/quote-A17\.pdf \(PDF, \d+ B\)/);
    // the composer is empty again: nothing attached
    expect(await page.locator('#attachment').isHidden()).toBe(true);
    // on the platform: a document message by the media id WhatsApp gave for the upload, with its name and caption
    const platform = await eventually(() => whatsapp.sentMessages!().slice(before).find((m) => m.type === 'document'), 30_000);
    const document = (platform.request.body as { document: { id: string; filename: string; caption?: string } }).document;
    expect(document).toMatchObject({ filename: 'quote-A17.pdf', caption: 'Here is our quote for the repair.' });
    expect(sha(whatsapp.storedMedia!({ id: document.id })!)).toBe(sha(quote));
    // the agent's own link serves the same bytes, as a download
    const res = await fetch(new URL((await link.getAttribute('href'))!, url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="quote-A17\.pdf"/);
    expect(sha(await res.arrayBuffer())).toBe(sha(quote));
    // the README's picture: the customer's photo inline, the agent's quote below it
    await page.locator('#conversation').screenshot({ path: `${OUT}media-02-conversation.png` });
    if (!existsSync(DOCS_SHOT) || process.env.SWITCHBOARD_DOCS_SCREENSHOTS === '1') await page.locator('#conversation').screenshot({ path: DOCS_SHOT });
  });

  it('plays a voice message in the browser\'s own player, through its signed URL', async () => {
    const webhook = whatsapp.simulate!({ kind: 'media', userId: DANA, name: 'Dana Fischer', mediaType: 'audio', file: { body: voiceNote(), mimeType: 'audio/wav' } });
    expect((await whatsapp.deliver(sandboxWebhookUrl(url, 'whatsapp'), webhook)).status).toBe(200);
    const player = transcript().locator('figure.media-audio audio');
    await player.waitFor();
    expect(await player.getAttribute('controls')).toBe('');
    expect(await player.getAttribute('aria-label')).toBe('Audio from the customer');
    expect(await player.getAttribute('src')).toMatch(/^\/media\/[A-Za-z0-9_-]+\?tenant=sandbox&exp=\d+&sig=/);
    // the browser read the file through the signed URL: it knows its length (half a second)
    await expect.poll(() => player.evaluate((el) => (el as HTMLAudioElement).readyState)).toBeGreaterThanOrEqual(1);
    expect(await player.evaluate((el) => (el as HTMLAudioElement).duration)).toBeCloseTo(0.5, 2);
    expect(await transcript().locator('figure.media-audio a.download').count()).toBe(1);
  });

  it('fits a 390 px wide screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const img = transcript().locator('figure.media-image img');
    await img.scrollIntoViewIfNeeded();
    const box = (await img.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    // nothing of the page reaches past the screen's edge: no sideways scrolling
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const download = transcript().locator('a.download', { hasText: 'quote-A17.pdf' });
    await download.scrollIntoViewIfNeeded();
    const link = (await download.boundingBox())!;
    expect(link.x + link.width).toBeLessThanOrEqual(390);
    await shot('media-03-phone');
  });
});
