import { hmacSha256Hex, ProviderHttpError, ProviderNetworkError } from '@switchboard/core';
import { describeConnectorConformance, type ConformanceFixtures } from '@switchboard/testkit';
import { plugin } from './viber-plugin.js';
import { ViberStatusError } from './viber-api.js';
import { TOKEN, USER_ID, callbacks, keyboardReply } from './__fixtures__/callbacks.js';
import { AUTH_TOKEN, BASE_CONFIG } from './__fixtures__/helpers.js';

const base = { channel: 'viber', accountId: 'workshopbot', userId: USER_ID, externalId: TOKEN };
const status = (code: number, message: string) => new ViberStatusError(code, message, { status: code, status_message: message });

const fixtures: ConformanceFixtures = {
  config: BASE_CONFIG,
  sign: (body, variant) => ({ 'x-viber-content-signature': hmacSha256Hex(variant === 'valid' ? AUTH_TOKEN : `${AUTH_TOKEN.slice(0, -4)}0000`, body) }),
  signatureHeader: 'x-viber-content-signature',
  inbound: [
    { name: 'message: text with tracking_data', body: callbacks.text, expected: [{ ...base, kind: 'message', content: { type: 'text', text: 'a message to the service' }, metadata: { trackingData: 'tracking data' } }] },
    { name: 'message: picture', body: callbacks.picture, expected: [{ ...base, kind: 'message', content: { type: 'image', media: { url: 'http://www.images.com/img.jpg', caption: 'My picture' } } }] },
    { name: 'message: video', body: callbacks.video, expected: [{ ...base, kind: 'message', content: { type: 'video', media: { url: 'http://www.images.com/video.mp4', size: 10000 } } }] },
    { name: 'message: file', body: callbacks.file, expected: [{ ...base, kind: 'message', content: { type: 'document', media: { filename: 'name_of_file.doc' } } }] },
    { name: 'message: sticker', body: callbacks.sticker, expected: [{ ...base, kind: 'message', content: { type: 'sticker', media: { id: '46105' } } }] },
    { name: 'message: contact', body: callbacks.contact, expected: [{ ...base, kind: 'message', content: { type: 'contacts', contacts: [{ name: 'Itamar' }] } }] },
    { name: 'message: location', body: callbacks.location, expected: [{ ...base, kind: 'message', content: { type: 'location', latitude: 50.76891, longitude: 6.11499 } }] },
    { name: 'message: url', body: callbacks.url, expected: [{ ...base, kind: 'message', content: { type: 'text', text: 'http://www.website.com/go_here' } }] },
    { name: 'message: keyboard reply', body: keyboardReply, expected: [{ ...base, kind: 'message', content: { type: 'reply', id: 'status', title: 'Car status' } }] },
    { name: 'message: unknown type', body: callbacks.unknownMessageType, expected: [{ kind: 'unsupported', userId: USER_ID }] },
    { name: 'delivered', body: callbacks.delivered, expected: [{ ...base, kind: 'status', status: 'delivered' }] },
    { name: 'seen', body: callbacks.seen, expected: [{ ...base, kind: 'status', status: 'read' }] },
    { name: 'failed', body: callbacks.failed, expected: [{ ...base, kind: 'status', status: 'failed', error: { message: 'failure description' } }] },
    { name: 'subscribed', body: callbacks.subscribed, expected: [{ kind: 'consent', action: 'subscribed', userId: USER_ID }] },
    { name: 'unsubscribed', body: callbacks.unsubscribed, expected: [{ kind: 'consent', action: 'unsubscribed', userId: USER_ID }] },
    { name: 'conversation_started', body: callbacks.conversationStarted, expected: [{ kind: 'conversation-started', userId: USER_ID, subscribed: false, context: 'context information' }] },
    { name: 'webhook (set_webhook check)', body: callbacks.webhook, expected: [] },
    { name: 'unknown event', body: callbacks.unknownEvent, expected: [{ kind: 'unsupported', reason: 'Viber event "client_status"' }] },
  ],
  address: { channel: 'viber', accountId: 'workshopbot', userId: USER_ID },
  samples: {
    video: { type: 'video', media: { url: 'https://example.com/tour.mp4', mimeType: 'video/mp4', size: 4_200_000 } },
    document: { type: 'document', media: { url: 'https://example.com/boarding-pass.pdf', filename: 'boarding-pass.pdf', size: 84_000 } },
    sticker: { type: 'sticker', media: { id: '46105' } },
  },
  errors: [
    { name: 'status 1 invalidUrl', error: status(1, 'invalidUrl'), expected: 'permanent' },
    { name: 'status 2 invalidAuthToken', error: status(2, 'invalidAuthToken'), expected: 'permanent' },
    { name: 'status 3 badData', error: status(3, 'badData'), expected: 'permanent' },
    { name: 'status 4 missingData', error: status(4, 'missingData'), expected: 'permanent' },
    { name: 'status 5 receiverNotRegistered', error: status(5, 'receiverNotRegistered'), expected: 'permanent' },
    { name: 'status 6 receiverNotSubscribed', error: status(6, 'notSubscribed'), expected: 'recipient-blocked' },
    { name: 'status 7 publicAccountBlocked', error: status(7, 'publicAccountBlocked'), expected: 'permanent' },
    { name: 'status 8 publicAccountNotFound', error: status(8, 'publicAccountNotFound'), expected: 'permanent' },
    { name: 'status 9 publicAccountSuspended', error: status(9, 'publicAccountSuspended'), expected: 'permanent' },
    { name: 'status 10 webhookNotSet', error: status(10, 'webhookNotSet'), expected: 'permanent' },
    { name: 'status 11 receiverNoSuitableDevice', error: status(11, 'receiverNoSuitableDevice'), expected: 'permanent' },
    { name: 'status 12 tooManyRequests', error: status(12, 'Too many requests'), expected: 'rate-limited', retryAfterMs: 10_000 },
    { name: 'status 13 apiVersionNotSupported', error: status(13, 'apiVersionNotSupported'), expected: 'permanent' },
    { name: 'other status (general error)', error: status(99, 'General error'), expected: 'retryable' },
    { name: 'HTTP 503', error: new ProviderHttpError(503, 'Service Unavailable', {}), expected: 'retryable' },
    { name: 'HTTP 429 with Retry-After', error: new ProviderHttpError(429, '', { 'retry-after': '3' }), expected: 'rate-limited', retryAfterMs: 3000 },
    { name: 'network error', error: new ProviderNetworkError('request to chatapi.viber.com failed: ECONNRESET'), expected: 'retryable' },
  ],
};

describeConnectorConformance(plugin, fixtures);
