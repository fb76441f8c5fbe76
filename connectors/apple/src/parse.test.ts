import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ManualClock, type RawWebhook } from '@switchboard/core';
import { AppleConnector } from './apple-connector.js';
import { parseConfig } from './config.js';
import * as fx from './__fixtures__/inbound.js';

const NOW = Date.parse('2026-11-15T10:00:00Z');
const connector = new AppleConnector(parseConfig(fx.config), { clock: new ManualClock(NOW) });
const base = { channel: 'apple', accountId: fx.BUSINESS_ID, userId: fx.USER_ID, timestamp: new Date(NOW) };

function req(body: unknown, extra: Record<string, string> = {}, raw?: Buffer): RawWebhook {
  return { method: 'POST', path: '/', query: {}, headers: { ...fx.headers(), authorization: fx.bearer(NOW), ...extra }, body: raw ?? Buffer.from(JSON.stringify(body)) };
}

describe('parse', () => {
  it('text: headers give ids, capability-list and device-agent go to metadata', () => {
    expect(connector.parse(req(fx.textBody))).toEqual([{
      kind: 'message', ...base, externalId: fx.MESSAGE_ID, content: { type: 'text', text: 'Hello business!' },
      metadata: { capabilities: ['LIST', 'TIME', 'QUICK', 'AUTH2', 'FORM'], deviceAgent: 'iPhone OS', locale: 'en_US' },
    }]);
  });
  it('a gzip body (content-encoding: gzip) parses', () => {
    const raw = gzipSync(Buffer.from(JSON.stringify(fx.textBody)));
    const events = connector.parse(req(undefined, { 'content-encoding': 'gzip' }, raw));
    expect(events).toMatchObject([{ kind: 'message', content: { type: 'text', text: 'Hello business!' } }]);
  });
  it('a gzip body without the header is recognised by its magic bytes', () => {
    const raw = gzipSync(Buffer.from(JSON.stringify(fx.textBody)));
    expect(connector.parse(req(undefined, {}, raw))).toMatchObject([{ content: { text: 'Hello business!' } }]);
  });
  it('a gzip bomb is refused with MalformedPayloadError', () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
    expect(() => connector.parse(req(undefined, { 'content-encoding': 'gzip' }, bomb))).toThrow(expect.objectContaining({ code: 'MALFORMED_PAYLOAD' }));
  });
  it('corrupt gzip is MalformedPayloadError', () => {
    expect(() => connector.parse(req(undefined, { 'content-encoding': 'gzip' }, Buffer.from('not gzip')))).toThrow(expect.objectContaining({ code: 'MALFORMED_PAYLOAD' }));
  });
  it('regression: no capability-list header says nothing about the device (no empty list that would erase what the host knew)', () => {
    const r = req(fx.textBody);
    delete r.headers['capability-list'];
    const [e] = connector.parse(r);
    expect(e!.kind === 'message' && e.metadata).not.toHaveProperty('capabilities');
  });
  it('capability-list is case-insensitive, trimmed and deduplicated', () => {
    const [e] = connector.parse(req(fx.textBody, { 'capability-list': ' list, Time ,LIST,' }));
    expect(e).toMatchObject({ metadata: { capabilities: ['LIST', 'TIME'] } });
  });
  it('falls back to body ids when headers are absent', () => {
    const r = req(fx.textBody);
    delete r.headers.id; delete r.headers['source-id']; delete r.headers['destination-id'];
    expect(connector.parse(r)).toMatchObject([{ externalId: fx.MESSAGE_ID, userId: fx.USER_ID, accountId: fx.BUSINESS_ID }]);
  });
  it('regression: an attachment keeps its decryption key, MMCS owner and signature in the content (the key was dropped), the descriptor in metadata, the text as caption', () => {
    const a = fx.attachmentBody.attachments[0]!;
    expect(connector.parse(req(fx.attachmentBody))).toEqual([{
      kind: 'message', ...base, externalId: fx.MESSAGE_ID,
      content: { type: 'image', media: {
        url: a.url, mimeType: 'image/jpeg', filename: 'IMG_0042.jpeg', size: 195342, caption: 'Here is the damage',
        encryption: { decryptionKey: a.key, owner: a.owner, signature: a['signature-base64'], signatureEncoding: 'base64', algorithm: 'aes-256-ctr' },
      } },
      metadata: { capabilities: ['LIST', 'TIME', 'QUICK', 'AUTH2', 'FORM'], deviceAgent: 'iPhone OS', attachment: fx.attachmentBody.attachments[0] },
    }]);
  });
  it('several attachments give one event each with derived external ids', () => {
    const a = fx.attachmentBody.attachments[0]!;
    const body = { ...fx.attachmentBody, body: '\uFFFC\uFFFC', attachments: [a, { ...a, name: 'manual.pdf', mimeType: 'application/pdf' }] };
    const events = connector.parse(req(body));
    expect(events.map((e) => [e.kind === 'message' && e.externalId, e.kind === 'message' && e.content.type])).toEqual([[fx.MESSAGE_ID, 'image'], [`${fx.MESSAGE_ID}:1`, 'document']]);
  });
  it('typing_start / typing_end become typing events', () => {
    const metadata = { capabilities: ['LIST', 'TIME', 'QUICK', 'AUTH2', 'FORM'] };
    expect(connector.parse(req(fx.typingStartBody))).toEqual([{ kind: 'typing', ...base, active: true, eventId: fx.MESSAGE_ID, metadata }]);
    expect(connector.parse(req(fx.typingEndBody))).toEqual([{ kind: 'typing', ...base, active: false, eventId: fx.MESSAGE_ID, metadata }]);
  });
  it('close becomes closed', () => {
    expect(connector.parse(req(fx.closeBody))).toEqual([{ kind: 'closed', ...base, eventId: fx.MESSAGE_ID }]);
  });
  it('"subscribe" records transactional and marketing subscription', () => {
    const events = connector.parse(req(fx.subscribeBody));
    expect(events).toMatchObject([
      { kind: 'message', content: { type: 'text', text: 'Subscribe' } },
      { kind: 'consent', action: 'subscribed', purpose: 'transactional', userId: fx.USER_ID },
      { kind: 'consent', action: 'subscribed', purpose: 'marketing', userId: fx.USER_ID },
    ]);
  });
  it('list picker with one selection becomes a reply', () => {
    expect(connector.parse(req(fx.listPickerReplyBody))).toMatchObject([{
      kind: 'message', content: { type: 'reply', id: 'oil', title: 'Oil change' }, metadata: { requestIdentifier: '6b7f3e2a-1c44-4b0e-9d1a-21f7c2a0e111' },
    }]);
  });
  it('list picker with several selections becomes rich list-picker with the decoded payload', () => {
    expect(connector.parse(req(fx.multiListPickerReplyBody))).toMatchObject([{
      content: { type: 'rich', kind: 'list-picker', payload: fx.multiListPickerReplyBody.interactiveData.data, fallbackText: '2 items selected' },
    }]);
  });
  it('quick reply becomes a reply with the item title', () => {
    expect(connector.parse(req(fx.quickReplyBody))).toMatchObject([{ content: { type: 'reply', id: 'agent', title: 'Talk to a person' } }]);
  });
  it.each([
    ['time picker', fx.timePickerReplyBody, 'time-picker'],
    ['Apple Pay', fx.applePayReplyBody, 'payment'],
    ['authentication', fx.authReplyBody, 'auth'],
    ['form', fx.formReplyBody, 'form'],
  ] as const)('%s result becomes rich %s', (_name, body, kind) => {
    expect(connector.parse(req(body))).toMatchObject([{ kind: 'message', content: { type: 'rich', kind, payload: body.interactiveData.data } }]);
  });
  it('interactive data by reference keeps the reference in metadata', () => {
    expect(connector.parse(req(fx.interactiveRefBody))).toMatchObject([{
      kind: 'message', content: { type: 'text', text: 'Choose your services' },
      metadata: { interactiveDataRef: fx.interactiveRefBody.interactiveDataRef, interactiveDataPending: true },
    }]);
  });
  it('a custom iMessage app reply is unsupported', () => {
    const body = { ...fx.envelope(), type: 'interactive', interactiveData: { bid: 'com.example.app', URL: '?x=1' } };
    expect(connector.parse(req(body))).toMatchObject([{ kind: 'unsupported', reason: expect.stringContaining('com.example.app') }]);
  });
  it('an unknown type is unsupported', () => {
    expect(connector.parse(req(fx.unknownTypeBody))).toMatchObject([{ kind: 'unsupported', channel: 'apple', userId: fx.USER_ID, reason: 'Apple message type "richLink"' }]);
  });
  it('text without body or attachments is malformed', () => {
    expect(() => connector.parse(req({ ...fx.envelope(), type: 'text' }))).toThrow(expect.objectContaining({ code: 'MALFORMED_PAYLOAD' }));
  });
});
