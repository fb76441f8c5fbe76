import { describe, expect, it } from 'vitest';
import { WebhookVerificationError, type RawWebhook } from '@switchboard/core';
import { TelegramConnector } from './telegram-connector.js';
import { parseConfig } from './config.js';

const secretToken = 'switchboard-sandbox-secret';
const connector = new TelegramConnector(parseConfig({ botToken: '7000000001:AAFakeSandboxTokenForSwitchboard001', secretToken }));
const body = Buffer.from(JSON.stringify({ update_id: 1, message: { message_id: 1, date: 1, chat: { id: 1, type: 'private' }, text: 'hi' } }));
const req = (headers: Record<string, string>, bytes = body): RawWebhook => ({ method: 'POST', path: '/webhooks/telegram/7000000001', query: {}, headers, body: bytes });
const H = 'x-telegram-bot-api-secret-token';

describe('verify', () => {
  it('accepts the configured secret token', () => {
    expect(() => connector.verify(req({ [H]: secretToken }))).not.toThrow();
  });

  it('rejects a missing header', () => {
    expect(() => connector.verify(req({}))).toThrow(WebhookVerificationError);
    expect(() => connector.verify(req({ [H]: '' }))).toThrow(/missing/);
  });

  it('rejects another secret of the same length', () => {
    const other = secretToken.replace('s', 't');
    expect(other).toHaveLength(secretToken.length);
    expect(() => connector.verify(req({ [H]: other }))).toThrow(WebhookVerificationError);
  });

  it('rejects a secret of another length (prefix, longer) without crashing', () => {
    expect(() => connector.verify(req({ [H]: secretToken.slice(0, -1) }))).toThrow(WebhookVerificationError);
    expect(() => connector.verify(req({ [H]: `${secretToken}x` }))).toThrow(WebhookVerificationError);
  });

  it('rejects a tampered (case-changed) secret', () => {
    expect(() => connector.verify(req({ [H]: secretToken.toUpperCase() }))).toThrow(WebhookVerificationError);
  });

  it('does not depend on the body: the token is static, so a re-serialised body still verifies', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2));
    expect(() => connector.verify(req({ [H]: secretToken }, reserialised))).not.toThrow();
  });

  it('a tampered body with the right token still verifies: the token authenticates the sender, not the bytes (Telegram design)', () => {
    const tampered = Buffer.from(body.toString().replace('hi', 'ho'));
    expect(() => connector.verify(req({ [H]: secretToken }, tampered))).not.toThrow();
    expect(() => connector.verify(req({ [H]: 'forged' }, tampered))).toThrow(WebhookVerificationError);
  });

  it('never names the secret in its message', () => {
    try { connector.verify(req({ [H]: 'wrong' })); } catch (e) { expect((e as Error).message).not.toContain(secretToken); return; }
    throw new Error('verify accepted a wrong token');
  });

  it('has no handshake', () => {
    expect(connector.handshake()).toBeUndefined();
  });
});
