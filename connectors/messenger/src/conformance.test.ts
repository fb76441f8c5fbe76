import { describeConnectorConformance, type ConformanceFixtures } from '@switchboard/testkit';
import { ProviderHttpError, ProviderNetworkError } from '@switchboard/core';
import plugin from './index.js';
import * as F from './__fixtures__/webhooks.js';

const who = { channel: 'messenger', accountId: F.PAGE_ID, userId: F.PSID };
const graph = (status: number, code: number, message: string, subcode?: number): ProviderHttpError =>
  new ProviderHttpError(status, { error: { message, type: 'OAuthException', code, ...(subcode !== undefined ? { error_subcode: subcode } : {}), fbtrace_id: 'BLBz/WZt8dN' } }, {});

const fixtures: ConformanceFixtures = {
  config: { pageAccessToken: 'EAAGconformance', appSecret: F.APP_SECRET, verifyToken: 'verify-me', pageId: F.PAGE_ID },
  sign: (body, variant) => ({ 'x-hub-signature-256': F.sign(body, variant === 'valid' ? F.APP_SECRET : 'another-app-secret-of-same-kind') }),
  signatureHeader: 'x-hub-signature-256',
  handshake: {
    valid: { query: { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-me', 'hub.challenge': '1158201444' }, expectedBody: '1158201444' },
    invalid: { query: { 'hub.mode': 'subscribe', 'hub.verify_token': 'wrong', 'hub.challenge': '1158201444' } },
  },
  address: { channel: 'messenger', accountId: F.PAGE_ID, userId: F.PSID },
  inbound: [
    { name: 'text message', body: F.textMessage, expected: [{ kind: 'message', ...who, externalId: 'mid.1457764197618:41d102a3e1ae206a38', content: { type: 'text', text: 'hello, world!' } }] },
    { name: 'quick reply', body: F.quickReplyMessage, expected: [{ kind: 'message', content: { type: 'reply', id: 'COLOR_RED', title: 'Red' } }] },
    { name: 'reply_to', body: F.replyMessage, expected: [{ kind: 'message', replyTo: 'm_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU' }] },
    { name: 'image attachment', body: F.imageMessage, expected: [{ kind: 'message', content: { type: 'image' } }] },
    { name: 'video attachment', body: F.videoMessage, expected: [{ kind: 'message', content: { type: 'video' } }] },
    { name: 'audio attachment', body: F.audioMessage, expected: [{ kind: 'message', content: { type: 'audio' } }] },
    { name: 'file attachment', body: F.fileMessage, expected: [{ kind: 'message', content: { type: 'document' } }] },
    { name: 'location attachment', body: F.locationMessage, expected: [{ kind: 'message', content: { type: 'location', latitude: 48.1372, longitude: 11.5756 } }] },
    { name: 'fallback attachment', body: F.fallbackMessage, expected: [{ kind: 'message', content: { type: 'text' } }] },
    { name: 'template attachment', body: F.templateMessage, expected: [{ kind: 'message', content: { type: 'rich', kind: 'carousel' } }] },
    { name: 'message echo', body: F.echoMessage, expected: [{ kind: 'status', status: 'sent', userId: F.PSID }] },
    { name: 'postback', body: F.postback, expected: [{ kind: 'message', content: { type: 'reply', id: 'AGENT', title: 'Talk to a person' } }] },
    { name: 'postback with referral', body: F.postbackWithReferral, expected: [{ kind: 'conversation-started', context: 'summer-promo' }, { kind: 'message', content: { type: 'reply', id: 'GET_STARTED' } }] },
    { name: 'delivery', body: F.delivery, expected: [{ kind: 'status', status: 'delivered', externalId: 'mid.1458668856218:ed81099e15d3f4f233' }, { kind: 'status', status: 'delivered' }] },
    { name: 'delivery watermark only', body: F.deliveryWatermarkOnly, expected: [{ kind: 'status', status: 'delivered', externalId: 'watermark:1458668856253' }] },
    { name: 'read', body: F.read, expected: [{ kind: 'status', status: 'read', externalId: 'watermark:1458668856253' }] },
    { name: 'notification messages opt-in', body: F.notificationOptin, expected: [{ kind: 'consent', action: 'opt-in', purpose: 'marketing', topic: 'Flight updates' }] },
    { name: 'notification messages STOP', body: F.notificationStop, expected: [{ kind: 'consent', action: 'opt-out', purpose: 'marketing' }] },
    { name: 'notification messages RESUME', body: F.notificationResume, expected: [{ kind: 'consent', action: 'opt-in', purpose: 'marketing' }] },
    { name: 'referral', body: F.referral, expected: [{ kind: 'conversation-started', ...who, context: 'workshop-flyer' }] },
    { name: 'reaction', body: F.reaction, expected: [{ kind: 'message', content: { type: 'reaction', target: 'm_outbound_1' } }] },
    { name: 'unknown event', body: F.handover, expected: [{ kind: 'unsupported' }] },
  ],
  errors: [
    { name: '#10/2018278 outside the window', error: graph(400, 10, '(#10) This message is sent outside of allowed window.', 2018278), expected: 'window-closed' },
    { name: '#551 person unavailable', error: graph(400, 551, "(#551) This person isn't available right now.", 1545041), expected: 'recipient-blocked' },
    { name: '#613 rate limit', error: graph(400, 613, 'Calls to this api have exceeded the rate limit.'), expected: 'rate-limited', retryAfterMs: 1000 },
    { name: '#4 application request limit', error: graph(400, 4, 'Application request limit reached'), expected: 'rate-limited', retryAfterMs: 60_000 },
    { name: '#100/2018001 no matching user', error: graph(400, 100, '(#100) No matching user found', 2018001), expected: 'permanent' },
    { name: '#190 invalid token', error: graph(400, 190, 'Invalid OAuth access token.'), expected: 'permanent' },
    { name: '5xx', error: new ProviderHttpError(503, 'Service Unavailable', {}), expected: 'retryable' },
    { name: 'network', error: new ProviderNetworkError('ECONNRESET'), expected: 'retryable' },
  ],
};

describeConnectorConformance(plugin, fixtures);
