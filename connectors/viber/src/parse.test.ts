import { describe, expect, it } from 'vitest';
import { MalformedPayloadError } from '@switchboard/core';
import { parseConfig } from './config.js';
import { ViberConnector } from './viber-connector.js';
import { TOKEN, TS, USER_ID, callbacks, keyboardReply } from './__fixtures__/callbacks.js';
import { BASE_CONFIG, signedRequest } from './__fixtures__/helpers.js';

const connector = new ViberConnector(parseConfig(BASE_CONFIG));
const parse = (body: string) => connector.parse(signedRequest(body));
const at = new Date(TS);
const profile = { name: 'John McClane', avatar: 'http://avatar.example.com', country: 'UK', language: 'en', apiVersion: 1 };
const base = { kind: 'message', channel: 'viber', accountId: 'workshopbot', userId: USER_ID, externalId: TOKEN, timestamp: at, profile };

describe('parse: message callbacks', () => {
  it('text: keeps every digit of the 64-bit message_token, the profile and tracking_data', () => {
    expect(parse(callbacks.text)).toEqual([{
      ...base, content: { type: 'text', text: 'a message to the service' },
      metadata: { trackingData: 'tracking data', chatHostname: 'SN-376_', silent: false },
    }]);
  });
  it('picture → image with caption, file name and size', () => {
    expect(parse(callbacks.picture)).toEqual([{
      ...base, content: { type: 'image', media: { url: 'http://www.images.com/img.jpg', caption: 'My picture', filename: 'img.jpg', size: 10000 } },
      metadata: { chatHostname: 'SN-376_', silent: false },
    }]);
  });
  it('video → video with size, duration in metadata', () => {
    expect(parse(callbacks.video)).toEqual([{
      ...base, content: { type: 'video', media: { url: 'http://www.images.com/video.mp4', size: 10000 } },
      metadata: { chatHostname: 'SN-376_', silent: false, durationSeconds: 10 },
    }]);
  });
  it('file → document with file name and size', () => {
    expect(parse(callbacks.file)[0]).toMatchObject({ content: { type: 'document', media: { url: 'http://www.images.com/file.doc', filename: 'name_of_file.doc', size: 10000 } } });
  });
  it('sticker → sticker with the sticker id', () => {
    expect(parse(callbacks.sticker)[0]).toMatchObject({ content: { type: 'sticker', media: { id: '46105', url: 'https://viber-stickers.example.com/46105.png' } } });
  });
  it('contact → a contact card', () => {
    expect(parse(callbacks.contact)[0]).toMatchObject({ content: { type: 'contacts', contacts: [{ name: 'Itamar', phones: [{ phone: '+972511123123' }] }] } });
  });
  it('location → latitude and longitude', () => {
    expect(parse(callbacks.location)[0]).toMatchObject({ content: { type: 'location', latitude: 50.76891, longitude: 6.11499 } });
  });
  it('url → text carrying the URL', () => {
    expect(parse(callbacks.url)[0]).toMatchObject({ content: { type: 'text', text: 'http://www.website.com/go_here' } });
  });
  it('a keyboard tap answering our message → reply with the button title, and the host message id it answers', () => {
    expect(parse(keyboardReply)[0]).toMatchObject({
      content: { type: 'reply', id: 'status', title: 'Car status' },
      metadata: { inReplyToMessageId: 'out-1' },
    });
  });
  it('text that is not one of the offered replies stays text', () => {
    const body = keyboardReply.replace('"text":"status"', '"text":"something else"');
    expect(parse(body)[0]).toMatchObject({ content: { type: 'text', text: 'something else' } });
  });
  it('an unknown message type → unsupported', () => {
    expect(parse(callbacks.unknownMessageType)).toEqual([{
      kind: 'unsupported', channel: 'viber', accountId: 'workshopbot', userId: USER_ID, reason: 'Viber message type "poll"', timestamp: at, eventId: TOKEN,
    }]);
  });
});

describe('parse: receipts, subscriptions, conversation_started', () => {
  it('delivered → status delivered', () => {
    expect(parse(callbacks.delivered)).toEqual([{
      kind: 'status', channel: 'viber', accountId: 'workshopbot', userId: USER_ID, externalId: TOKEN, status: 'delivered', timestamp: at, eventId: `delivered:${TOKEN}`,
    }]);
  });
  it('seen → status read', () => {
    expect(parse(callbacks.seen)[0]).toMatchObject({ kind: 'status', status: 'read', externalId: TOKEN, eventId: `seen:${TOKEN}` });
  });
  it('failed → status failed with the description as error', () => {
    expect(parse(callbacks.failed)[0]).toMatchObject({ kind: 'status', status: 'failed', externalId: TOKEN, error: { code: 'failed', message: 'failure description' } });
  });
  it('subscribed → consent subscribed (no purpose: a subscription is not marketing consent)', () => {
    const [event] = parse(callbacks.subscribed);
    expect(event).toEqual({ kind: 'consent', channel: 'viber', accountId: 'workshopbot', userId: USER_ID, timestamp: at, action: 'subscribed', detail: 'subscribed', eventId: `subscribed:${TOKEN}` });
  });
  it('unsubscribed → consent unsubscribed for every purpose', () => {
    const [event] = parse(callbacks.unsubscribed);
    expect(event).toEqual({ kind: 'consent', channel: 'viber', accountId: 'workshopbot', userId: USER_ID, timestamp: at, action: 'unsubscribed', detail: 'unsubscribed', eventId: `unsubscribed:${TOKEN}` });
    expect(event).not.toHaveProperty('purpose');
  });
  it('conversation_started → conversation-started with subscribed, context and profile', () => {
    expect(parse(callbacks.conversationStarted)).toEqual([{
      kind: 'conversation-started', channel: 'viber', accountId: 'workshopbot', userId: USER_ID, timestamp: at,
      profile, subscribed: false, context: 'context information', eventId: `conversation_started:${TOKEN}`,
    }]);
  });
  it('the webhook check yields no events', () => {
    expect(parse(callbacks.webhook)).toEqual([]);
  });
  it('an unknown event → unsupported', () => {
    expect(parse(callbacks.unknownEvent)).toEqual([{ kind: 'unsupported', channel: 'viber', accountId: 'workshopbot', userId: USER_ID, reason: 'Viber event "client_status"', timestamp: at }]);
  });
});

describe('parse: malformed callbacks', () => {
  it.each([
    ['not JSON', '{"event":'],
    ['an array', '[]'],
    ['no event', `{"timestamp":${TS}}`],
    ['no timestamp', `{"event":"delivered","message_token":1,"user_id":"u"}`],
    ['a message without sender', `{"event":"message","timestamp":${TS},"message_token":1,"message":{"type":"text","text":"x"}}`],
    ['a message without token', `{"event":"message","timestamp":${TS},"sender":{"id":"u"},"message":{"type":"text","text":"x"}}`],
    ['a picture without media', `{"event":"message","timestamp":${TS},"message_token":1,"sender":{"id":"u"},"message":{"type":"picture"}}`],
    ['a location out of range', `{"event":"message","timestamp":${TS},"message_token":1,"sender":{"id":"u"},"message":{"type":"location","location":{"lat":91,"lon":0}}}`],
    ['a receipt without token', `{"event":"seen","timestamp":${TS},"user_id":"u"}`],
    ['subscribed without user', `{"event":"subscribed","timestamp":${TS}}`],
  ])('throws MalformedPayloadError for %s', (_name, body) => {
    expect(() => parse(body)).toThrow(MalformedPayloadError);
  });
});
