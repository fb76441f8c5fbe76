import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebhookVerificationError, type RawWebhook } from '@switchboard/core';
import { inbound, PHONE_NUMBER_ID } from './__fixtures__/inbound.js';
import { parseConfig } from './config.js';
import { WhatsAppConnector } from './whatsapp-connector.js';

const SECRET = 'app-secret-123';
const connector = new WhatsAppConnector(parseConfig({ accessToken: 't', appSecret: SECRET, verifyToken: 'my-verify-token', phoneNumberId: PHONE_NUMBER_ID }));
const body = Buffer.from(JSON.stringify(inbound[0]!.body));
const sign = (b: Buffer, secret = SECRET): string => `sha256=${createHmac('sha256', secret).update(b).digest('hex')}`;
const req = (b: Buffer, headers: Record<string, string>): RawWebhook => ({ method: 'POST', path: '/webhooks/whatsapp/1', query: {}, headers, body: b });

describe('verify', () => {
  it('accepts the body signed with the app secret', () => {
    expect(() => connector.verify(req(body, { 'x-hub-signature-256': sign(body) }))).not.toThrow();
  });
  it('accepts an upper-case hex digest', () => {
    expect(() => connector.verify(req(body, { 'x-hub-signature-256': `sha256=${sign(body).slice('sha256='.length).toUpperCase()}` }))).not.toThrow();
  });
  it('rejects a missing signature', () => {
    expect(() => connector.verify(req(body, {}))).toThrow(WebhookVerificationError);
  });
  it('rejects the legacy SHA-1 header alone and a missing sha256= prefix', () => {
    const sha1 = `sha1=${createHmac('sha1', SECRET).update(body).digest('hex')}`;
    expect(() => connector.verify(req(body, { 'x-hub-signature': sha1 }))).toThrow(WebhookVerificationError);
    expect(() => connector.verify(req(body, { 'x-hub-signature-256': sign(body).slice('sha256='.length) }))).toThrow(WebhookVerificationError);
  });
  it('rejects a digest of the wrong length', () => {
    expect(() => connector.verify(req(body, { 'x-hub-signature-256': sign(body).slice(0, -2) }))).toThrow(WebhookVerificationError);
    expect(() => connector.verify(req(body, { 'x-hub-signature-256': `${sign(body)}00` }))).toThrow(WebhookVerificationError);
  });
  it('rejects a tampered body', () => {
    const tampered = Buffer.from(body.toString().replace('Is my car ready?', 'Is my car ready!'));
    expect(() => connector.verify(req(tampered, { 'x-hub-signature-256': sign(body) }))).toThrow(WebhookVerificationError);
  });
  it('rejects a body signed with another secret', () => {
    expect(() => connector.verify(req(body, { 'x-hub-signature-256': sign(body, 'another-secret') }))).toThrow(WebhookVerificationError);
  });
  it('rejects a body re-serialised after signing (signatures cover the raw bytes)', () => {
    const pretty = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2));
    expect(() => connector.verify(req(pretty, { 'x-hub-signature-256': sign(body) }))).toThrow(WebhookVerificationError);
  });
  it('verifies escaped unicode exactly as sent (Meta escapes non-ASCII as \\uXXXX)', () => {
    const escaped = Buffer.from(body.toString().replace('Is my car ready?', 'Ist mein Auto fertig? \\u00fc'));
    expect(() => connector.verify(req(escaped, { 'x-hub-signature-256': sign(escaped) }))).not.toThrow();
  });
});

describe('handshake', () => {
  const get = (query: Record<string, string>): RawWebhook => ({ method: 'GET', path: '/webhooks/whatsapp/1', query, headers: {}, body: Buffer.alloc(0) });
  it('echoes the challenge when the verify token matches', () => {
    expect(connector.handshake(get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'my-verify-token', 'hub.challenge': '1158201444' }))).toEqual({ status: 200, body: '1158201444' });
  });
  it('answers 403 for a wrong token, a wrong mode or a missing challenge', () => {
    expect(connector.handshake(get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '1' }))?.status).toBe(403);
    expect(connector.handshake(get({ 'hub.mode': 'unsubscribe', 'hub.verify_token': 'my-verify-token', 'hub.challenge': '1' }))?.status).toBe(403);
    expect(connector.handshake(get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'my-verify-token' }))?.status).toBe(403);
  });
  it('is not a handshake without hub parameters, nor on POST', () => {
    expect(connector.handshake(get({}))).toBeUndefined();
    expect(connector.handshake({ ...get({ 'hub.mode': 'subscribe' }), method: 'POST' })).toBeUndefined();
  });
});
