import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createHostLogger, hashPhone, scrubLogObject } from './logging.js';

describe('logging', () => {
  it('redacts secrets and bodies, hashes phone numbers', () => {
    const out = scrubLogObject({
      userId: '+4915112345678', from: '4915112345678', chatId: 'abc', headers: { authorization: 'Bearer x', 'x-hub-signature-256': 'sha256=1' },
      config: { appSecret: 's', accessToken: 't' }, message: { content: { type: 'text', text: 'my card is 4111' } }, text: 'hello',
    }) as Record<string, unknown>;
    expect(out.userId).toBe(hashPhone('4915112345678'));
    expect(out.from).toMatch(/^tel#[0-9a-f]{12}$/);
    expect(out.chatId).toBe('abc');
    expect(out.headers).toEqual({ authorization: '[redacted]', 'x-hub-signature-256': '[redacted]' });
    expect(out.config).toEqual({ appSecret: '[redacted]', accessToken: '[redacted]' });
    expect(out.message.content).toBe('[redacted]');
    expect(out.text).toBe('[redacted]');
  });

  it('redacts every key named like a credential and the credential query parameters of URLs', () => {
    const out = scrubLogObject({
      config: { secretToken: 'tg-secret', verifyToken: 'vt', secretKey: 'sk', webhookSecret: 'ws', mspSecret: 'ms', apiKey: 'ak', tokenMaxAgeSeconds: 30, mspId: 'm' },
      headers: { 'x-telegram-bot-api-secret-token': 'tg-secret', 'x-acme-signature': 't=1,v1=ab', 'x-viber-content-signature': 'ff', 'content-type': 'application/json' },
      url: '/webhooks/whatsapp/main?hub.mode=subscribe&hub.verify_token=vt-123&hub.challenge=42',
      path: '/webhooks/viber/main?sig=abcdef', other: '/x?sig=kept-when-the-key-is-not-a-url',
    }) as Record<string, Record<string, unknown> | string>;
    expect(out.config).toEqual({ secretToken: '[redacted]', verifyToken: '[redacted]', secretKey: '[redacted]', webhookSecret: '[redacted]', mspSecret: '[redacted]', apiKey: '[redacted]', tokenMaxAgeSeconds: '[redacted]', mspId: 'm' });
    expect(out.headers).toEqual({ 'x-telegram-bot-api-secret-token': '[redacted]', 'x-acme-signature': '[redacted]', 'x-viber-content-signature': '[redacted]', 'content-type': 'application/json' });
    expect(out.url).toBe('/webhooks/whatsapp/main?hub.mode=subscribe&hub.verify_token=%5Bredacted%5D&hub.challenge=42');
    expect(out.path).toBe('/webhooks/viber/main?sig=%5Bredacted%5D');
    expect(out.other).toBe('/x?sig=kept-when-the-key-is-not-a-url');
  });

  it('applies to what pino writes', () => {
    const lines: string[] = [];
    const destination = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } });
    const logger = createHostLogger({ level: 'info', destination });
    logger.info({ userId: '447700900123', body: 'secret body', secret: 'k' }, 'inbound');
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({ msg: 'inbound', userId: hashPhone('447700900123'), body: '[redacted]', secret: '[redacted]' });
    expect(lines[0]).not.toContain('447700900123');
  });
});
