/**
 * Webhook bodies shaped like the samples of Meta's webhook reference (messages, statuses, errors,
 * user_preferences), with the events each must parse into.
 */
import { expect } from 'vitest';

export const WABA_ID = '102290129340398';
export const PHONE_NUMBER_ID = '106540352242922';
export const DISPLAY_NUMBER = '15550783881';
export const WA_ID = '16505551234';
export const NAME = 'Sheena Nelson';
export const WAMID = 'wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=';
export const OUR_WAMID = 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI0QTNCNjBGNUNBNzk3QkY1MDQA';
export const TS = '1739321024';
export const AT = new Date(Number(TS) * 1000);

const metadata = { display_phone_number: DISPLAY_NUMBER, phone_number_id: PHONE_NUMBER_ID };
const contacts = [{ profile: { name: NAME }, wa_id: WA_ID }];

/** Wraps a change value as Meta delivers it. */
export function envelope(value: Record<string, unknown>, field = 'messages'): Record<string, unknown> {
  return { object: 'whatsapp_business_account', entry: [{ id: WABA_ID, changes: [{ value: { messaging_product: 'whatsapp', metadata, ...value }, field }] }] };
}

function message(extra: Record<string, unknown>, id = WAMID): Record<string, unknown> {
  return envelope({ contacts, messages: [{ from: WA_ID, id, timestamp: TS, ...extra }] });
}

const base = { kind: 'message', channel: 'whatsapp', accountId: PHONE_NUMBER_ID, userId: WA_ID, externalId: WAMID, timestamp: AT, profile: { name: NAME } };

/** One sample per documented inbound kind. */
export const inbound: { name: string; body: Record<string, unknown>; expected: Record<string, unknown>[] }[] = [
  {
    name: 'text message',
    body: message({ type: 'text', text: { body: 'Is my car ready?' } }),
    expected: [{ ...base, content: { type: 'text', text: 'Is my car ready?' } }],
  },
  {
    name: 'text message replying to an earlier message (context)',
    body: message({ context: { from: DISPLAY_NUMBER, id: OUR_WAMID }, type: 'text', text: { body: 'Yes, that one' } }),
    expected: [{ ...base, replyTo: OUR_WAMID, content: { type: 'text', text: 'Yes, that one' } }],
  },
  {
    name: 'image message',
    body: message({ type: 'image', image: { caption: 'The scratch', mime_type: 'image/jpeg', sha256: 'u7Vd1s0Zh0mQy5Yl3dz8A9M8cZ8gqR6y0wD0b9VQj6E=', id: '1003383421387256' } }),
    expected: [{ ...base, content: { type: 'image', media: { id: '1003383421387256', mimeType: 'image/jpeg', caption: 'The scratch' } } }],
  },
  {
    name: 'video message',
    body: message({ type: 'video', video: { mime_type: 'video/mp4', sha256: 'ZmFrZXNoYQ==', id: '1166846181421424' } }),
    expected: [{ ...base, content: { type: 'video', media: { id: '1166846181421424', mimeType: 'video/mp4' } } }],
  },
  {
    name: 'audio (voice) message',
    body: message({ type: 'audio', audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'ZmFrZXNoYQ==', id: '1003383421387257', voice: true } }),
    expected: [{ ...base, content: { type: 'audio', media: { id: '1003383421387257', mimeType: 'audio/ogg; codecs=opus' } } }],
  },
  {
    name: 'document message',
    body: message({ type: 'document', document: { caption: 'Invoice', filename: 'invoice-2042.pdf', mime_type: 'application/pdf', sha256: 'ZmFrZXNoYQ==', id: '1003383421387258' } }),
    expected: [{ ...base, content: { type: 'document', media: { id: '1003383421387258', filename: 'invoice-2042.pdf', caption: 'Invoice', mimeType: 'application/pdf' } } }],
  },
  {
    name: 'sticker message',
    body: message({ type: 'sticker', sticker: { mime_type: 'image/webp', sha256: 'ZmFrZXNoYQ==', id: '1003383421387259', animated: false } }),
    expected: [{ ...base, content: { type: 'sticker', media: { id: '1003383421387259', mimeType: 'image/webp' } } }],
  },
  {
    name: 'location message',
    body: message({ type: 'location', location: { address: '1 Hacker Way, Menlo Park, CA 94025', latitude: 37.483307, longitude: -122.148981, name: 'Main office', url: 'https://www.meta.com' } }),
    expected: [{ ...base, content: { type: 'location', latitude: 37.483307, longitude: -122.148981, name: 'Main office', address: '1 Hacker Way, Menlo Park, CA 94025' } }],
  },
  {
    name: 'contacts message',
    body: message({
      type: 'contacts',
      contacts: [{
        name: { first_name: 'Barbara', last_name: 'Johnson', formatted_name: 'Barbara J. Johnson' },
        org: { company: 'Lucky Shrub' },
        phones: [{ phone: '+1 (940) 555-1234', wa_id: '19405551234', type: 'WORK' }],
        emails: [{ email: 'bjohnson@luckyshrub.com', type: 'WORK' }],
      }],
    }),
    expected: [{
      ...base,
      content: {
        type: 'contacts',
        contacts: [{ name: 'Barbara J. Johnson', organization: 'Lucky Shrub', phones: [{ phone: '+1 (940) 555-1234', type: 'WORK' }], emails: [{ email: 'bjohnson@luckyshrub.com', type: 'WORK' }] }],
      },
    }],
  },
  {
    name: 'interactive button_reply',
    body: message({ context: { from: DISPLAY_NUMBER, id: OUR_WAMID }, type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'status', title: 'Car status' } } }),
    expected: [{ ...base, replyTo: OUR_WAMID, content: { type: 'reply', id: 'status', title: 'Car status' } }],
  },
  {
    name: 'interactive list_reply',
    body: message({ context: { from: DISPLAY_NUMBER, id: OUR_WAMID }, type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'slot-9', title: '9:00', description: 'Tomorrow morning' } } }),
    expected: [{ ...base, replyTo: OUR_WAMID, content: { type: 'reply', id: 'slot-9', title: '9:00' } }],
  },
  {
    name: 'template quick-reply button',
    body: message({ context: { from: DISPLAY_NUMBER, id: OUR_WAMID }, type: 'button', button: { payload: 'STOP_PROMOS', text: 'Stop promotions' } }),
    expected: [{ ...base, replyTo: OUR_WAMID, content: { type: 'reply', id: 'STOP_PROMOS', title: 'Stop promotions' } }],
  },
  {
    name: 'reaction',
    body: message({ type: 'reaction', reaction: { message_id: OUR_WAMID, emoji: '\uD83D\uDC4D' } }),
    expected: [{ ...base, content: { type: 'reaction', emoji: '\uD83D\uDC4D', target: OUR_WAMID } }],
  },
  {
    name: 'reaction removed',
    body: message({ type: 'reaction', reaction: { message_id: OUR_WAMID } }),
    expected: [{ ...base, content: { type: 'reaction', emoji: '', target: OUR_WAMID } }],
  },
  {
    name: 'message type the Cloud API does not support',
    body: message({
      type: 'unsupported',
      errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }],
    }),
    expected: [{ kind: 'unsupported', channel: 'whatsapp', accountId: PHONE_NUMBER_ID, userId: WA_ID, reason: expect.stringContaining('131051') }],
  },
  {
    name: 'unknown message type',
    body: message({ type: 'order', order: { catalog_id: '194836987003835', product_items: [] } }),
    expected: [{ kind: 'unsupported', channel: 'whatsapp', accountId: PHONE_NUMBER_ID, userId: WA_ID, reason: 'message type "order" is not modelled' }],
  },
  {
    name: 'status sent with pricing',
    body: envelope({
      statuses: [{
        id: OUR_WAMID, status: 'sent', timestamp: TS, recipient_id: WA_ID,
        pricing: { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' },
      }],
    }),
    expected: [{
      kind: 'status', channel: 'whatsapp', accountId: PHONE_NUMBER_ID, userId: WA_ID, externalId: OUR_WAMID, status: 'sent', timestamp: AT,
      pricing: { category: 'utility', billable: true, model: 'PMP' },
    }],
  },
  {
    name: 'status delivered',
    body: envelope({ statuses: [{ id: OUR_WAMID, status: 'delivered', timestamp: TS, recipient_id: WA_ID, pricing: { billable: false, pricing_model: 'PMP', category: 'service' } }] }),
    expected: [{ kind: 'status', channel: 'whatsapp', externalId: OUR_WAMID, status: 'delivered', pricing: { category: 'service', billable: false } }],
  },
  {
    name: 'status read',
    body: envelope({ statuses: [{ id: OUR_WAMID, status: 'read', timestamp: TS, recipient_id: WA_ID }] }),
    expected: [{ kind: 'status', channel: 'whatsapp', userId: WA_ID, externalId: OUR_WAMID, status: 'read', timestamp: AT }],
  },
  {
    name: 'status failed with errors',
    body: envelope({
      statuses: [{
        id: OUR_WAMID, status: 'failed', timestamp: TS, recipient_id: WA_ID,
        errors: [{
          code: 131047, title: 'Re-engagement message', message: 'Re-engagement message',
          error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
          href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
        }],
      }],
    }),
    expected: [{
      kind: 'status', channel: 'whatsapp', externalId: OUR_WAMID, status: 'failed',
      error: { code: '131047', message: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
    }],
  },
  {
    name: 'value-level errors',
    body: envelope({
      errors: [{ code: 130472, title: "User's number is part of an experiment", message: "User's number is part of an experiment", error_data: { details: 'Failed to send message because this user\'s phone number is part of an experiment' } }],
    }),
    expected: [{ kind: 'unsupported', channel: 'whatsapp', accountId: PHONE_NUMBER_ID, reason: expect.stringContaining('130472') }],
  },
  {
    name: 'user_preferences: marketing stop',
    body: envelope({
      contacts,
      user_preferences: [{ wa_id: WA_ID, detail: 'User requested to stop marketing messages', category: 'marketing_messages', value: 'stop', timestamp: Number(TS) }],
    }, 'user_preferences'),
    expected: [{ kind: 'consent', channel: 'whatsapp', accountId: PHONE_NUMBER_ID, userId: WA_ID, action: 'opt-out', purpose: 'marketing', timestamp: AT, detail: 'User requested to stop marketing messages' }],
  },
  {
    name: 'user_preferences: marketing resume',
    body: envelope({
      contacts,
      user_preferences: [{ wa_id: WA_ID, detail: 'User requested to resume marketing messages', category: 'marketing_messages', value: 'resume', timestamp: Number(TS) }],
    }, 'user_preferences'),
    expected: [{ kind: 'consent', channel: 'whatsapp', accountId: PHONE_NUMBER_ID, userId: WA_ID, action: 'opt-in', purpose: 'marketing', timestamp: AT }],
  },
  {
    name: 'several entries and changes in one delivery',
    body: {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WABA_ID,
          changes: [
            { field: 'messages', value: { messaging_product: 'whatsapp', metadata, contacts, messages: [{ from: WA_ID, id: 'wamid.A', timestamp: TS, type: 'text', text: { body: 'first' } }] } },
            { field: 'messages', value: { messaging_product: 'whatsapp', metadata, statuses: [{ id: OUR_WAMID, status: 'delivered', timestamp: TS, recipient_id: WA_ID }] } },
          ],
        },
        {
          id: '102290129340399',
          changes: [{
            field: 'messages',
            value: {
              messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783882', phone_number_id: '106540352242923' },
              contacts: [{ profile: { name: 'Ada' }, wa_id: '4915112345678' }],
              messages: [{ from: '4915112345678', id: 'wamid.B', timestamp: TS, type: 'text', text: { body: 'second' } }],
            },
          }],
        },
      ],
    },
    expected: [
      { kind: 'message', externalId: 'wamid.A', accountId: PHONE_NUMBER_ID, content: { type: 'text', text: 'first' } },
      { kind: 'status', externalId: OUR_WAMID, status: 'delivered' },
      { kind: 'message', externalId: 'wamid.B', accountId: '106540352242923', userId: '4915112345678', profile: { name: 'Ada' }, content: { type: 'text', text: 'second' } },
    ],
  },
  {
    name: 'webhook field without a model (template status update)',
    body: {
      object: 'whatsapp_business_account',
      entry: [{ id: WABA_ID, time: Number(TS), changes: [{ value: { event: 'APPROVED', message_template_id: 594425479261596, message_template_name: 'gate_change', message_template_language: 'en_US', reason: 'NONE' }, field: 'message_template_status_update' }] }],
    },
    expected: [{ kind: 'unsupported', channel: 'whatsapp', accountId: WABA_ID, reason: 'webhook field "message_template_status_update" is not handled' }],
  },
];

