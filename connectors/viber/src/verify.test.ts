import { describe, expect, it } from 'vitest';
import { hmacSha256Hex, WebhookVerificationError } from '@switchboard/core';
import { parseConfig } from './config.js';
import { ViberConnector } from './viber-connector.js';
import { callbacks } from './__fixtures__/callbacks.js';
import { AUTH_TOKEN, BASE_CONFIG, signedRequest } from './__fixtures__/helpers.js';

const connector = new ViberConnector(parseConfig(BASE_CONFIG));
const body = callbacks.text;
const good = hmacSha256Hex(AUTH_TOKEN, body);

describe('verify (X-Viber-Content-Signature)', () => {
  it('accepts the hex HMAC-SHA256 of the raw body keyed with the auth token', () => {
    expect(() => connector.verify(signedRequest(body))).not.toThrow();
  });
  it('accepts an upper-case hex digest', () => {
    expect(() => connector.verify(signedRequest(body, { signature: good.toUpperCase() }))).not.toThrow();
  });
  it('rejects a missing signature', () => {
    expect(() => connector.verify(signedRequest(body, { signature: null }))).toThrow(WebhookVerificationError);
  });
  it('rejects an empty signature', () => {
    expect(() => connector.verify(signedRequest(body, { signature: '' }))).toThrow(WebhookVerificationError);
  });
  it('rejects a truncated or extended signature', () => {
    expect(() => connector.verify(signedRequest(body, { signature: good.slice(0, 63) }))).toThrow(WebhookVerificationError);
    expect(() => connector.verify(signedRequest(body, { signature: `${good}00` }))).toThrow(WebhookVerificationError);
  });
  it('rejects a non-hex signature', () => {
    expect(() => connector.verify(signedRequest(body, { signature: 'z'.repeat(64) }))).toThrow(WebhookVerificationError);
  });
  it('rejects a tampered body', () => {
    const req = signedRequest(body);
    req.body = Buffer.from(body.replace('a message to the service', 'a message to the servicE'));
    expect(() => connector.verify(req)).toThrow(WebhookVerificationError);
  });
  it('rejects a body signed with another secret', () => {
    expect(() => connector.verify(signedRequest(body, { secret: `${AUTH_TOKEN}-other` }))).toThrow(WebhookVerificationError);
  });
  it('rejects a re-serialised body (the signature covers the exact bytes)', () => {
    const req = signedRequest(body);
    req.body = Buffer.from(JSON.stringify(JSON.parse(body), null, 2));
    expect(() => connector.verify(req)).toThrow(WebhookVerificationError);
  });
  it('accepts the signature in a sig query parameter when the header is absent (as Viber\'s Node library does)', () => {
    expect(() => connector.verify(signedRequest(body, { signature: null, query: { sig: good } }))).not.toThrow();
    expect(() => connector.verify(signedRequest(body, { signature: null, query: { sig: good.replace(/.$/, good.endsWith('0') ? '1' : '0') } }))).toThrow(WebhookVerificationError);
  });
  it('prefers the header over the sig query parameter', () => {
    expect(() => connector.verify(signedRequest(body, { signature: '0'.repeat(64), query: { sig: good } }))).toThrow(WebhookVerificationError);
  });
});

describe('handshake (the set_webhook check)', () => {
  it('answers a signed webhook event with 200', () => {
    expect(connector.handshake(signedRequest(callbacks.webhook))).toEqual({ status: 200, body: '' });
  });
  it('leaves an unsigned webhook event to verify (which then refuses it)', () => {
    expect(connector.handshake(signedRequest(callbacks.webhook, { signature: '0'.repeat(64) }))).toBeUndefined();
  });
  it('does not treat other callbacks or GET requests as a handshake', () => {
    expect(connector.handshake(signedRequest(callbacks.text))).toBeUndefined();
    expect(connector.handshake({ method: 'GET', path: '/', query: {}, headers: {}, body: Buffer.alloc(0) })).toBeUndefined();
  });
});
