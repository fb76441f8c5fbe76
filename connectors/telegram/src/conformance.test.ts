import { ProviderHttpError, ProviderNetworkError } from '@switchboard/core';
import { describeConnectorConformance, type InboundFixture } from '@switchboard/testkit';
import plugin from './index.js';
import { telegramSandboxConfig } from './fake-telegram-server.js';
import * as u from './__fixtures__/updates.js';

const tgError = (status: number, description: string, parameters?: Record<string, unknown>): ProviderHttpError =>
  new ProviderHttpError(status, { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) }, { 'content-type': 'application/json' });

const inbound: InboundFixture[] = [
  { name: 'text message', body: u.textMessage, expected: [{ kind: 'message', userId: '1111111', externalId: '1365', eventId: '10000', content: { type: 'text', text: 'Hello, is my car ready?' } }] },
  { name: '/start', body: u.startCommand, expected: [{ kind: 'conversation-started', userId: '1111111' }, { kind: 'message', metadata: { command: 'start' } }] },
  { name: '/start with deep-link payload', body: u.startDeepLink, expected: [{ kind: 'conversation-started', context: 'order-4711' }, { kind: 'message' }] },
  { name: 'bot command with mention', body: u.helpCommandWithMention, expected: [{ kind: 'message', metadata: { command: 'help', commandArgs: 'brakes' } }] },
  { name: 'text with entities', body: u.textWithEntities, expected: [{ kind: 'message', content: { type: 'text' } }] },
  { name: 'reply', body: u.replyMessage, expected: [{ kind: 'message', replyTo: '1300' }] },
  { name: 'edited message', body: u.editedMessage, expected: [{ kind: 'message', edited: true, externalId: '1365' }] },
  { name: 'photo', body: u.photoMessage, expected: [{ kind: 'message', content: { type: 'image', media: { id: 'AgACAgQAAxkBAAIBsmS_large' } } }] },
  { name: 'video', body: u.videoMessage, expected: [{ kind: 'message', content: { type: 'video' } }] },
  { name: 'audio', body: u.audioMessage, expected: [{ kind: 'message', content: { type: 'audio' } }] },
  { name: 'voice', body: u.voiceMessage, expected: [{ kind: 'message', content: { type: 'audio', media: { mimeType: 'audio/ogg' } } }] },
  { name: 'document', body: u.documentMessage, expected: [{ kind: 'message', content: { type: 'document', media: { filename: 'invoice.pdf' } } }] },
  { name: 'sticker', body: u.stickerMessage, expected: [{ kind: 'message', content: { type: 'sticker' } }] },
  { name: 'location', body: u.locationMessage, expected: [{ kind: 'message', content: { type: 'location', latitude: 52.520008 } }] },
  { name: 'venue', body: u.venueMessage, expected: [{ kind: 'message', content: { type: 'location', name: 'Eiffel Tower' } }] },
  { name: 'contact', body: u.contactMessage, expected: [{ kind: 'message', content: { type: 'contacts' } }] },
  { name: 'callback query', body: u.callbackQuery, expected: [{ kind: 'message', externalId: '4382bfdwdsb323b2d9', content: { type: 'reply', id: 'book:yes', title: 'Yes, book it' }, metadata: { callbackQueryId: '4382bfdwdsb323b2d9' } }] },
  { name: 'my_chat_member kicked', body: u.myChatMemberKicked, expected: [{ kind: 'consent', action: 'blocked', userId: '1111111' }] },
  { name: 'my_chat_member member again', body: u.myChatMemberMemberAgain, expected: [{ kind: 'consent', action: 'unblocked' }] },
  { name: 'group message', body: u.groupMessage, expected: [{ kind: 'message', userId: '-1001234567890', profile: { senderId: '1111111' } }] },
  { name: 'unknown update type', body: u.channelPost, expected: [{ kind: 'unsupported', eventId: '10021' }] },
];

describeConnectorConformance(plugin, {
  config: { botToken: telegramSandboxConfig.botToken, secretToken: telegramSandboxConfig.secretToken },
  // Telegram signs nothing: it echoes the secret_token given to setWebhook in a header
  sign: (_body, variant) => ({ 'x-telegram-bot-api-secret-token': variant === 'valid' ? telegramSandboxConfig.secretToken : 'another-secret-of-the-same-shap' }),
  signatureHeader: 'x-telegram-bot-api-secret-token',
  // a static secret in a header, not a signature over the body: a tampered body with the right
  // token is, by Telegram's design, indistinguishable from a genuine one
  signatureCoversBody: false,
  inbound,
  address: { channel: 'telegram', accountId: '7000000001', userId: '1111111' },
  samples: {
    // Telegram reacts to its own numeric message ids only
    reaction: { type: 'reaction', emoji: '👍', target: '1365' },
  },
  errors: [
    { name: '429 Too Many Requests with retry_after', error: tgError(429, 'Too Many Requests: retry after 5', { retry_after: 5 }), expected: 'rate-limited', retryAfterMs: 5000 },
    { name: '403 bot was blocked by the user', error: tgError(403, 'Forbidden: bot was blocked by the user'), expected: 'recipient-blocked' },
    { name: '403 user is deactivated', error: tgError(403, 'Forbidden: user is deactivated'), expected: 'recipient-blocked' },
    { name: "403 bot can't initiate conversation", error: tgError(403, "Forbidden: bot can't initiate conversation with a user"), expected: 'permanent' },
    { name: '400 chat not found', error: tgError(400, 'Bad Request: chat not found'), expected: 'permanent' },
    { name: '400 message is too long', error: tgError(400, 'Bad Request: message is too long'), expected: 'permanent' },
    { name: '401 Unauthorized', error: tgError(401, 'Unauthorized'), expected: 'permanent' },
    { name: '502 Bad Gateway', error: tgError(502, 'Bad Gateway'), expected: 'retryable' },
    { name: 'network failure', error: new ProviderNetworkError('request to api.telegram.org failed: ECONNRESET'), expected: 'retryable' },
  ],
});
