import { gzipSync } from 'node:zlib';
import { ProviderHttpError, ProviderNetworkError } from '@switchboard/core';
import { describeConnectorConformance, type ConformanceFixtures } from '@switchboard/testkit';
import plugin from './index.js';
import * as fx from './__fixtures__/inbound.js';

const ids = { channel: 'apple', accountId: fx.BUSINESS_ID, userId: fx.USER_ID };

const fixtures: ConformanceFixtures = {
  config: fx.config,
  // Apple signs no body: the bearer JWT carries aud = MSP id and iat, HS256 with the decoded secret
  sign: (_body, variant) => ({ authorization: fx.bearer(Date.now(), {}, variant === 'valid' ? fx.MSP_SECRET : fx.OTHER_SECRET) }),
  signatureHeader: 'authorization',
  signatureCoversBody: false,
  inbound: [
    { name: 'text message', body: fx.textBody, headers: fx.headers(), expected: [{ kind: 'message', ...ids, externalId: fx.MESSAGE_ID, content: { type: 'text', text: 'Hello business!' }, metadata: { capabilities: ['LIST', 'TIME', 'QUICK', 'AUTH2', 'FORM'] } }] },
    { name: 'gzip text message', body: gzipSync(Buffer.from(JSON.stringify(fx.textBody))), headers: fx.headers(fx.MESSAGE_ID, { 'content-encoding': 'gzip' }), expected: [{ kind: 'message', content: { type: 'text', text: 'Hello business!' } }] },
    { name: 'attachment', body: fx.attachmentBody, headers: fx.headers(), expected: [{ kind: 'message', ...ids, content: { type: 'image', media: { mimeType: 'image/jpeg', filename: 'IMG_0042.jpeg' } } }] },
    { name: 'typing_start', body: fx.typingStartBody, headers: fx.headers(), expected: [{ kind: 'typing', ...ids, active: true }] },
    { name: 'typing_end', body: fx.typingEndBody, headers: fx.headers(), expected: [{ kind: 'typing', ...ids, active: false }] },
    { name: 'close', body: fx.closeBody, headers: fx.headers(), expected: [{ kind: 'closed', ...ids }] },
    { name: 'subscribe keyword', body: fx.subscribeBody, headers: fx.headers(), expected: [{ kind: 'message' }, { kind: 'consent', action: 'subscribed', purpose: 'transactional' }, { kind: 'consent', action: 'subscribed', purpose: 'marketing' }] },
    { name: 'list picker selection', body: fx.listPickerReplyBody, headers: fx.headers(), expected: [{ kind: 'message', content: { type: 'reply', id: 'oil', title: 'Oil change' } }] },
    { name: 'quick reply selection', body: fx.quickReplyBody, headers: fx.headers(), expected: [{ kind: 'message', content: { type: 'reply', id: 'agent' } }] },
    { name: 'time picker slot', body: fx.timePickerReplyBody, headers: fx.headers(), expected: [{ kind: 'message', content: { type: 'rich', kind: 'time-picker' } }] },
    { name: 'Apple Pay result', body: fx.applePayReplyBody, headers: fx.headers(), expected: [{ kind: 'message', content: { type: 'rich', kind: 'payment' } }] },
    { name: 'authentication result', body: fx.authReplyBody, headers: fx.headers(), expected: [{ kind: 'message', content: { type: 'rich', kind: 'auth' } }] },
    { name: 'form answers', body: fx.formReplyBody, headers: fx.headers(), expected: [{ kind: 'message', content: { type: 'rich', kind: 'form' } }] },
    { name: 'interactive data by reference', body: fx.interactiveRefBody, headers: fx.headers(), expected: [{ kind: 'message', metadata: { interactiveDataPending: true } }] },
    { name: 'unknown type', body: fx.unknownTypeBody, headers: fx.headers(), expected: [{ kind: 'unsupported' }] },
  ],
  address: ids,
  recipientCapabilities: ['QUICK', 'LIST', 'TIME', 'AUTH2', 'FORM'],
  errors: [
    { name: '400 bad request', error: new ProviderHttpError(400, '', {}), expected: 'permanent' },
    { name: '401 missing Authorization', error: new ProviderHttpError(401, '', {}), expected: 'permanent' },
    { name: '403 Authorization rejected', error: new ProviderHttpError(403, '', {}), expected: 'permanent' },
    { name: '404 destination-id not recognised', error: new ProviderHttpError(404, '', {}), expected: 'permanent' },
    { name: '410 conversation deleted', error: new ProviderHttpError(410, '', {}), expected: 'recipient-blocked' },
    { name: '429 with Retry-After', error: new ProviderHttpError(429, '', { 'retry-after': '3' }), expected: 'rate-limited', retryAfterMs: 3000 },
    { name: '500 server error', error: new ProviderHttpError(500, '', {}), expected: 'retryable' },
    { name: '503 unavailable', error: new ProviderHttpError(503, '', {}), expected: 'retryable' },
    { name: 'connection reset', error: new ProviderNetworkError('socket hang up'), expected: 'retryable' },
  ],
};

describeConnectorConformance(plugin, fixtures);
