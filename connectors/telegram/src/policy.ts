/**
 * The rules Telegram imposes on bots, as data.
 * @module
 */
import type { ChannelPolicy } from '@switchboard/core';

const BOT_API = 'https://core.telegram.org/bots/api';
const BOT_FAQ = 'https://core.telegram.org/bots/faq';
const MB = 1024 * 1024;

/**
 * Telegram's channel policy.
 *
 * - A bot cannot write to a user who has not started it (`403 Forbidden: bot can't initiate
 *   conversation with a user`), so initiation is `user`.
 * - There is no service window: once started, the bot may write at any time until blocked.
 * - Telegram itself requires no opt-in for any purpose, so `consentRequiredFor` is empty at
 *   channel level; marketing still needs recorded consent through the GDPR baseline (and the
 *   default business policy adds transactional).
 * - Broadcast has no bulk method: the host sends one request per recipient, paced to ~30/s.
 *   Paid broadcasts (Telegram Stars, beyond 30 msg/s) are out of scope.
 */
export const telegramPolicy: ChannelPolicy = {
  channel: 'telegram',
  initiation: 'user',
  consentRequiredFor: [],
  marketingAllowed: true,
  broadcast: { allowed: true, maxRecipientsPerRequest: 1 },
  rateLimits: [
    { scope: 'recipient', limit: 1, perMs: 1_000, enforcement: 'pace', note: '429 Too Many Requests: retry after N (short bursts tolerated)' },
    { scope: 'group', limit: 20, perMs: 60_000, enforcement: 'pace', note: '429 Too Many Requests: retry after N' },
    { scope: 'account', limit: 30, perMs: 1_000, enforcement: 'pace', note: '429 Too Many Requests: retry after N (paid broadcasts beyond 30/s are out of scope)' },
  ],
  text: { maxLength: 4096, captionMaxLength: 1024, overflow: 'split' },
  // uploads (the connector declares media.upload 'bytes'): photos 10 MB, other files 50 MB
  mediaMaxBytes: { image: 10 * MB, video: 50 * MB, audio: 50 * MB, document: 50 * MB, sticker: 50 * MB },
  // documents take any type; the rest go to methods that take these (other files can be sent as documents)
  mediaTypes: {
    image: ['image/jpeg', 'image/png', 'image/webp'],
    video: ['video/mp4'],
    audio: ['audio/ogg', 'audio/opus', 'audio/mpeg', 'audio/mp4', 'audio/x-m4a'],
    sticker: ['image/webp', 'application/x-tgsticker', 'video/webm'],
  },
  restrictedCommerce: [],
  pricing: {
    currency: 'EUR',
    entries: [],
    source: 'Bot API messages are free (https://core.telegram.org/bots/api). Paid broadcasts charged in Telegram Stars above 30 msg/s (https://core.telegram.org/bots/faq) are not modelled.',
  },
  sources: [
    { rule: 'initiation', url: 'https://core.telegram.org/bots#how-are-bots-different-from-users ("Bots can\'t initiate conversations with users")', grade: 'O' },
    { rule: 'initiation', url: `${BOT_API}#sendmessage (403 "Forbidden: bot can't initiate conversation with a user")`, grade: '3P' },
    { rule: 'serviceWindowHours', url: BOT_API, grade: 'O' },
    { rule: 'consentRequiredFor', url: 'https://telegram.org/tos/bot-developers (no opt-in rule found; our reading)', grade: 'G' },
    { rule: 'marketingAllowed', url: 'https://telegram.org/tos/bot-developers (no ban on promotional messages to users who started the bot found; our reading)', grade: 'G' },
    { rule: 'broadcast', url: `${BOT_FAQ}#how-can-i-message-all-of-my-bot-39s-subscribers-at-once`, grade: 'O' },
    { rule: 'rateLimits', url: `${BOT_FAQ}#my-bot-is-hitting-limits-how-do-i-avoid-this`, grade: 'O' },
    { rule: 'rateLimits', url: `${BOT_API}#responseparameters (retry_after)`, grade: 'O' },
    { rule: 'text', url: `${BOT_API}#sendmessage (text 1-4096 characters; caption 0-1024 characters)`, grade: 'O' },
    { rule: 'mediaMaxBytes', url: `${BOT_API}#sending-files (upload: photos 10 MB, other files 50 MB; by URL: photos 5 MB, other 20 MB)`, grade: 'O' },
    { rule: 'mediaMaxBytes', url: `${BOT_API}#sendphoto (the photo must be at most 10 MB; width and height at most 10000 in total, ratio at most 20)`, grade: 'O' },
    { rule: 'mediaTypes', url: `${BOT_API}#sendvideo (MPEG4 videos; other formats may be sent as Document)`, grade: 'O' },
    { rule: 'mediaTypes', url: `${BOT_API}#sendvoice (.OGG encoded with OPUS, .MP3 or .M4A) and #sendaudio (.MP3 or .M4A)`, grade: 'O' },
    { rule: 'mediaTypes', url: `${BOT_API}#sendsticker (static .WEBP, animated .TGS, video .WEBM stickers)`, grade: 'O' },
    { rule: 'mediaTypes', url: `${BOT_API}#sendphoto (the page names no formats: JPEG, PNG and WebP is our reading; send other images as documents)`, grade: 'G' },
    { rule: 'mediaDownload', url: `${BOT_API}#getfile (bots download files of up to 20 MB; the link is valid for at least 1 hour, getFile again gives a new one)`, grade: 'O' },
    { rule: 'pricing', url: 'https://telegram.org/tos/bot-developers (Stars can increase messaging limits: paid broadcasts, not modelled)', grade: 'O' },
  ],
};
