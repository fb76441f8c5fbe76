import { describe, expect, it } from 'vitest';
import type { RawWebhook } from '@switchboard/core';
import { APP_SECRET, PAGE_ID, sign, textMessage } from './__fixtures__/webhooks.js';
import { parseConfig } from './config.js';
import { MessengerConnector } from './messenger-connector.js';

const connector = new MessengerConnector(parseConfig({ pageAccessToken: 't', appSecret: APP_SECRET, verifyToken: 'verify-me', pageId: PAGE_ID }));
const body = Buffer.from(JSON.stringify(textMessage));
const req = (headers: Record<string, string>, bytes = body): RawWebhook => ({ method: 'POST', path: '/webhooks/messenger/p', query: {}, headers, body: bytes });
const failsWith = (r: RawWebhook): void => {
  expect(() => connector.verify(r)).toThrow(expect.objectContaining({ code: 'WEBHOOK_VERIFICATION_FAILED' }));
};

describe('verify', () => {
  it('accepts sha256=<hex HMAC-SHA256(app secret, raw body)>', () => {
    expect(() => connector.verify(req({ 'x-hub-signature-256': sign(body) }))).not.toThrow();
  });
  it('accepts an upper-case hex digest', () => {
    expect(() => connector.verify(req({ 'x-hub-signature-256': `sha256=${sign(body).slice(7).toUpperCase()}` }))).not.toThrow();
  });
  it('rejects a missing header', () => failsWith(req({})));
  it('rejects the legacy sha1 header alone', () => failsWith(req({ 'x-hub-signature': 'sha1=0123456789abcdef0123456789abcdef01234567' })));
  it('rejects a digest without the sha256= prefix', () => failsWith(req({ 'x-hub-signature-256': sign(body).slice(7) })));
  it('rejects a wrong-length digest', () => {
    failsWith(req({ 'x-hub-signature-256': sign(body).slice(0, -2) }));
    failsWith(req({ 'x-hub-signature-256': `${sign(body)}00` }));
  });
  it('rejects a non-hex digest', () => failsWith(req({ 'x-hub-signature-256': `sha256=${'z'.repeat(64)}` })));
  it('rejects a tampered body', () => {
    const tampered = Buffer.from(body.toString().replace('hello', 'jello'));
    failsWith(req({ 'x-hub-signature-256': sign(body) }, tampered));
  });
  it('rejects a body signed with another secret', () => failsWith(req({ 'x-hub-signature-256': sign(body, 'another-app-secret') })));
  it('rejects a body re-serialised after signing (same JSON, other bytes)', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2));
    failsWith(req({ 'x-hub-signature-256': sign(body) }, reserialised));
  });
});

describe('handshake', () => {
  const get = (query: Record<string, string>, method = 'GET'): RawWebhook => ({ method, path: '/webhooks/messenger/p', query, headers: {}, body: Buffer.alloc(0) });
  it('answers the challenge when the verify token matches', () => {
    expect(connector.handshake(get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-me', 'hub.challenge': '1158201444' }))).toEqual({ status: 200, body: '1158201444' });
  });
  it('answers 403 on a wrong token, another mode or a missing challenge', () => {
    expect(connector.handshake(get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '1' }))?.status).toBe(403);
    expect(connector.handshake(get({ 'hub.mode': 'unsubscribe', 'hub.verify_token': 'verify-me', 'hub.challenge': '1' }))?.status).toBe(403);
    expect(connector.handshake(get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-me' }))?.status).toBe(403);
  });
  it('is undefined for anything that is no handshake', () => {
    expect(connector.handshake(get({}))).toBeUndefined();
    expect(connector.handshake(get({ 'hub.mode': 'subscribe' }, 'POST'))).toBeUndefined();
  });
});
