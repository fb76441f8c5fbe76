import { describe, expect, it } from 'vitest';
import type { RawWebhook } from '@switchboard/core';
import * as F from './__fixtures__/webhooks.js';
import { MessengerConnector } from './messenger-connector.js';
import { parseConfig } from './config.js';
import { watermarkOf } from './parse-webhook.js';

const connector = new MessengerConnector(parseConfig({ pageAccessToken: 't', appSecret: F.APP_SECRET, verifyToken: 'v', pageId: F.PAGE_ID }));
const raw = (body: unknown): RawWebhook => {
  const bytes = Buffer.from(JSON.stringify(body));
  return { method: 'POST', path: '/webhooks/messenger/x', query: {}, headers: { 'x-hub-signature-256': F.sign(bytes) }, body: bytes };
};
const parse = (body: unknown) => {
  const req = raw(body);
  connector.verify(req);
  return connector.parse(req);
};
const who = { channel: 'messenger', accountId: F.PAGE_ID, userId: F.PSID };

describe('parse: messages', () => {
  it('text message', () => {
    expect(parse(F.textMessage)).toEqual([{
      kind: 'message', ...who, externalId: 'mid.1457764197618:41d102a3e1ae206a38', timestamp: new Date(F.TS), content: { type: 'text', text: 'hello, world!' },
    }]);
  });
  it('quick reply → reply content with the payload', () => {
    expect(parse(F.quickReplyMessage)).toEqual([{ kind: 'message', ...who, externalId: 'm_quick_1', timestamp: new Date(F.TS), content: { type: 'reply', id: 'COLOR_RED', title: 'Red' } }]);
  });
  it('reply_to → replyTo', () => {
    expect(parse(F.replyMessage)[0]).toMatchObject({ kind: 'message', replyTo: 'm_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU', content: { type: 'text', text: 'hello, world!' } });
  });
  it.each([
    ['image', F.imageMessage, { type: 'image', media: { url: 'https://scontent.xx.fbcdn.net/v/photo.jpg' } }],
    ['video', F.videoMessage, { type: 'video', media: { url: 'https://video.xx.fbcdn.net/v/clip.mp4' } }],
    ['audio', F.audioMessage, { type: 'audio', media: { url: 'https://cdn.fbsbx.com/v/audioclip.mp4' } }],
    ['file', F.fileMessage, { type: 'document', media: { url: 'https://cdn.fbsbx.com/v/invoice.pdf' } }],
    ['sticker (image with sticker_id)', F.stickerMessage, { type: 'sticker', media: { url: 'https://scontent.xx.fbcdn.net/v/like.png', id: '369239263222822' } }],
    ['location', F.locationMessage, { type: 'location', latitude: 48.1372, longitude: 11.5756, name: 'Workshop' }],
    ['fallback (shared link)', F.fallbackMessage, { type: 'text', text: 'Opening hours\nhttps://example.com/hours' }],
    ['template', F.templateMessage, { type: 'rich', kind: 'carousel', fallbackText: 'Welcome!' }],
  ])('%s attachment', (_name, body, content) => {
    const events = parse(body);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'message', ...who, timestamp: new Date(F.TS), content });
  });
  it('several attachments → one event each, the first keeps the mid', () => {
    expect(parse(F.twoImagesMessage).map((e) => 'externalId' in e && e.externalId)).toEqual(['m_two_1', 'm_two_1#1']);
  });
  it('an attachment type without a model → unsupported, not a crash', () => {
    expect(parse(F.reelMessage)).toEqual([{ kind: 'unsupported', ...who, timestamp: new Date(F.TS), reason: 'attachment type "ig_reel" is not handled (message m_reel_1)' }]);
  });
  it('message echo → a sent receipt for the page\'s own message, never an inbound message', () => {
    expect(parse(F.echoMessage)).toEqual([{
      kind: 'status', ...who, externalId: 'mid.1457764197618:41d102a3e1ae206a38', status: 'sent', timestamp: new Date(1_457_764_197_627),
    }]);
  });
  it('reaction → reaction content on the target mid', () => {
    expect(parse(F.reaction)).toEqual([{
      kind: 'message', ...who, externalId: `reaction:m_outbound_1:${F.PSID}:${F.TS}`, timestamp: new Date(F.TS), content: { type: 'reaction', emoji: '\u2764\uFE0F', target: 'm_outbound_1' },
    }]);
  });
  it('message edit → an edited text message', () => {
    expect(parse(F.messageEdit)[0]).toMatchObject({ kind: 'message', edited: true, externalId: 'm_edit_1#edit1', content: { type: 'text', text: 'hello, world (edited)' } });
  });
});

describe('parse: postbacks and referrals', () => {
  it('postback → reply with payload and title', () => {
    expect(parse(F.postback)).toEqual([{ kind: 'message', ...who, externalId: 'm_postback_1', timestamp: new Date(F.TS), content: { type: 'reply', id: 'AGENT', title: 'Talk to a person' } }]);
  });
  it('postback with referral → conversation-started, then the reply', () => {
    const events = parse(F.postbackWithReferral);
    expect(events).toEqual([
      { kind: 'conversation-started', ...who, timestamp: new Date(F.TS), context: 'summer-promo', referral: { ref: 'summer-promo', source: 'SHORTLINK', type: 'OPEN_THREAD' } },
      { kind: 'message', ...who, externalId: `postback:${F.PSID}:${F.TS}`, timestamp: new Date(F.TS), content: { type: 'reply', id: 'GET_STARTED', title: 'Get Started' } },
    ]);
  });
  it('referral → conversation-started with the ref as context', () => {
    expect(parse(F.referral)).toEqual([{ kind: 'conversation-started', ...who, timestamp: new Date(F.TS), context: 'workshop-flyer', referral: { ref: 'workshop-flyer', source: 'SHORTLINK', type: 'OPEN_THREAD' } }]);
  });
  it('ad referral keeps the ad id (Click-to-Messenger 7-day window)', () => {
    expect(parse(F.adReferral)[0]).toMatchObject({ kind: 'conversation-started', context: 'spring-sale', referral: { source: 'ADS', adId: '6045246247433' } });
  });
});

describe('parse: receipts', () => {
  it('delivery with mids → one delivered status per mid at the watermark', () => {
    expect(parse(F.delivery)).toEqual([
      { kind: 'status', ...who, externalId: 'mid.1458668856218:ed81099e15d3f4f233', status: 'delivered', timestamp: new Date(1_458_668_856_253) },
      { kind: 'status', ...who, externalId: 'mid.1458668856218:ed81099e15d3f4f234', status: 'delivered', timestamp: new Date(1_458_668_856_253) },
    ]);
  });
  it('delivery with a watermark only → one watermark status', () => {
    const [event] = parse(F.deliveryWatermarkOnly);
    expect(event).toEqual({ kind: 'status', ...who, externalId: 'watermark:1458668856253', status: 'delivered', timestamp: new Date(1_458_668_856_253), watermark: new Date(1_458_668_856_253), upTo: new Date(1_458_668_856_253) });
    expect(watermarkOf(event as { externalId: string })).toEqual(new Date(1_458_668_856_253));
  });
  it('read → a read status for everything up to the watermark', () => {
    expect(parse(F.read)).toEqual([{ kind: 'status', ...who, externalId: 'watermark:1458668856253', status: 'read', timestamp: new Date(1_458_668_856_463), watermark: new Date(1_458_668_856_253), upTo: new Date(1_458_668_856_253) }]);
  });
  it('watermarkOf is undefined for a per-message status', () => {
    expect(watermarkOf({ externalId: 'm_1' })).toBeUndefined();
  });
});

describe('parse: opt-ins', () => {
  it('notification_messages opt-in → marketing opt-in with the title as topic and the token as evidence', () => {
    const [event] = parse(F.notificationOptin);
    expect(event).toMatchObject({ kind: 'consent', ...who, action: 'opt-in', purpose: 'marketing', topic: 'Flight updates', timestamp: new Date(F.TS) });
    expect(JSON.parse((event as { detail: string }).detail)).toMatchObject({ notification_messages_token: 'nmt_7843901' });
  });
  it('STOP_NOTIFICATIONS → marketing opt-out', () => {
    expect(parse(F.notificationStop)[0]).toMatchObject({ kind: 'consent', action: 'opt-out', purpose: 'marketing', topic: 'Flight updates' });
  });
  it('RESUME_NOTIFICATIONS → marketing opt-in', () => {
    expect(parse(F.notificationResume)[0]).toMatchObject({ kind: 'consent', action: 'opt-in', purpose: 'marketing' });
  });
  it('"STOP NOTIFICATIONS" spelled with a space, as the reference table shows, is read the same', () => {
    const body = JSON.parse(JSON.stringify(F.notificationStop)) as { entry: { messaging: { optin: Record<string, string> }[] }[] };
    body.entry[0]!.messaging[0]!.optin.notification_messages_status = 'STOP NOTIFICATIONS';
    expect(parse(body)[0]).toMatchObject({ kind: 'consent', action: 'opt-out' });
  });
  it('one-time notification request → transactional opt-in on its topic', () => {
    expect(parse(F.oneTimeNotification)[0]).toMatchObject({ kind: 'consent', action: 'opt-in', purpose: 'transactional', topic: 'Back in stock' });
  });
  it('Send to Messenger plugin opt-in → conversation-started with its ref', () => {
    expect(parse(F.sendToMessengerOptin)[0]).toMatchObject({ kind: 'conversation-started', context: 'checkout-page' });
  });
});

describe('parse: everything else', () => {
  it('an unknown messaging event (handover) → unsupported', () => {
    expect(parse(F.handover)).toEqual([{ kind: 'unsupported', channel: 'messenger', accountId: F.PAGE_ID, userId: F.PSID, reason: 'messaging event "pass_thread_control" is not handled' }]);
  });
  it('another object (instagram) → unsupported', () => {
    expect(parse(F.instagramObject)).toEqual([{ kind: 'unsupported', channel: 'messenger', reason: 'webhook object "instagram" is not a Messenger Page delivery' }]);
  });
  it('several entries and events in one delivery, in order', () => {
    expect(parse(F.twoEntries).map((e) => e.kind === 'message' ? e.externalId : e.kind)).toEqual(['m_a', 'm_b', 'status']);
  });
  it('garbage → MalformedPayloadError', () => {
    for (const body of ['nope', '[]', '{"entry":[]}', '{"object":"page","entry":[1]}', '{"object":"page","entry":[{"messaging":[{"message":{"mid":"x"}}]}]}']) {
      expect(() => connector.parse({ method: 'POST', path: '/', query: {}, headers: {}, body: Buffer.from(body) })).toThrow(expect.objectContaining({ code: 'MALFORMED_PAYLOAD' }));
    }
  });
});
