/**
 * Webhook bodies shaped like the samples in the Acme SMS Gateway API v2 reference (README, "Inbound webhooks").
 */
export const SENDER = '+12025550100';
export const CUSTOMER = '+12025550143';
export const API_KEY = 'acme_live_sk_7c1e4b0a9d2f4f3e8b6a';
export const WEBHOOK_SECRET = 'whsec_3f9a1c7e5b2d48a0b6e4';
export const CONFIG = { apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, senderId: SENDER };

export const webhooks = {
  received: {
    type: 'message.received', id: 'in_9f8e7d6c5b4a39281706f5e4', from: CUSTOMER, to: SENDER,
    text: 'Is my car ready?', occurred_at: '2026-11-03T10:15:02Z',
  },
  receivedStop: {
    type: 'message.received', id: 'in_1a2b3c4d5e6f708192a3b4c5', from: CUSTOMER, to: SENDER,
    text: 'STOP', occurred_at: '2026-11-03T10:16:40Z',
  },
  sent: {
    type: 'message.status', id: 'msg_4c1d2e3f4a5b6c7d8e9f0a1b', from: SENDER, to: CUSTOMER,
    status: 'sent', occurred_at: '2026-11-03T10:17:00.120Z',
  },
  delivered: {
    type: 'message.status', id: 'msg_4c1d2e3f4a5b6c7d8e9f0a1b', from: SENDER, to: CUSTOMER,
    status: 'delivered', occurred_at: '2026-11-03T10:17:03.480Z',
  },
  failed: {
    type: 'message.status', id: 'msg_4c1d2e3f4a5b6c7d8e9f0a1b', from: SENDER, to: CUSTOMER,
    status: 'failed', error: { code: 'carrier_rejected', message: 'The destination carrier rejected the message as spam.' },
    occurred_at: '2026-11-03T10:17:03+01:00',
  },
  expired: {
    type: 'message.status', id: 'msg_4c1d2e3f4a5b6c7d8e9f0a1b', from: SENDER, to: CUSTOMER,
    status: 'expired', occurred_at: '2026-11-04T10:17:00Z',
  },
  unknownStatus: {
    type: 'message.status', id: 'msg_4c1d2e3f4a5b6c7d8e9f0a1b', from: SENDER, to: CUSTOMER,
    status: 'buffered', occurred_at: '2026-11-03T10:17:01Z',
  },
  unknownType: {
    type: 'number.ported', id: 'evt_0b1c2d3e4f5a6b7c8d9e0f1a', number: CUSTOMER, occurred_at: '2026-11-03T11:00:00Z',
  },
} as const;
