/**
 * Inbound samples shaped like Apple's MSP REST API documentation (messages-received,
 * type-text, type-interactive): headers carry id/source-id/destination-id/capability-list/device-agent,
 * the body repeats v, id, sourceId, destinationId.
 */
import { signJwtHs256 } from '@switchboard/core';
import { APPLE_BID } from '../apple-payloads.js';

export const MSP_ID = 'a4b8e2c1-msp-test-0001';
export const MSP_SECRET = Buffer.from('apple-test-msp-secret-0123456789abcdef').toString('base64');
export const OTHER_SECRET = Buffer.from('another-msp-secret-fedcba9876543210xyz').toString('base64');
export const BUSINESS_ID = 'b1a2c3d4-0000-4000-8000-00000000b12a';
export const USER_ID = 'urn:mbid:AQAAY45PVG4jg/ni/q6rWSYuu9d7Ga6K22bxp0iUmPkdOwxr3yAbisjOmtYFzw6LjDqhABFF';
export const MESSAGE_ID = '0c316beb-9a2e-4b3f-8c55-7d0c9a1e2f01';

export const config = { mspId: MSP_ID, mspSecret: MSP_SECRET, businessId: BUSINESS_ID };

/** A bearer JWT as Apple signs webhooks. */
export function bearer(nowMs: number, claims: Record<string, unknown> = {}, secret = MSP_SECRET): string {
  return `Bearer ${signJwtHs256({ aud: MSP_ID, iat: Math.floor(nowMs / 1000), ...claims }, Buffer.from(secret, 'base64'))}`;
}

export function headers(id = MESSAGE_ID, extra: Record<string, string> = {}): Record<string, string> {
  return {
    id,
    'source-id': USER_ID,
    'destination-id': BUSINESS_ID,
    'capability-list': 'LIST,TIME,QUICK,AUTH2,FORM',
    'device-agent': 'iPhone OS',
    ...extra,
  };
}

export const envelope = (id = MESSAGE_ID) => ({ v: 1, id, sourceId: USER_ID, destinationId: BUSINESS_ID });

export const textBody = { ...envelope(), type: 'text', body: 'Hello business!', locale: 'en_US' };
export const typingStartBody = { ...envelope(), type: 'typing_start' };
export const typingEndBody = { ...envelope(), type: 'typing_end' };
export const closeBody = { ...envelope(), type: 'close' };
export const subscribeBody = { ...envelope(), type: 'text', body: 'Subscribe' };

export const attachmentBody = {
  ...envelope(), type: 'text', body: 'Here is the damage\uFFFC',
  attachments: [{
    name: 'IMG_0042.jpeg', mimeType: 'image/jpeg', size: '195342',
    url: 'https://p47-content.icloud.com/M8A6D2C1F0E9B8A7.C01USN00',
    owner: 'M8A6D2C1F0E9B8A7.C01USN00',
    key: '00ab986f7523802c840e21ce94ec8f40ce579a52daf1fb9eae3fd6cae54ba6a7fa',
    'signature-base64': 'gT6/RKaWd6peyo00YAlu1MPWw7Ah',
  }],
};

export const listPickerReplyBody = {
  ...envelope(), type: 'interactive',
  interactiveData: {
    bid: APPLE_BID,
    data: {
      version: '1.0', requestIdentifier: '6b7f3e2a-1c44-4b0e-9d1a-21f7c2a0e111',
      listPicker: { sections: [{ order: 0, title: 'Services', multipleSelection: false, items: [{ identifier: 'oil', order: 0, style: 'default', title: 'Oil change' }] }] },
      replyMessage: { title: 'Selected service', style: 'icon' },
    },
  },
};

export const multiListPickerReplyBody = {
  ...envelope(), type: 'interactive',
  interactiveData: {
    bid: APPLE_BID,
    data: {
      version: '1.0', requestIdentifier: 'req-2',
      listPicker: { sections: [{ order: 0, multipleSelection: true, items: [{ identifier: 'a', order: 0, title: 'Apples' }, { identifier: 'b', order: 1, title: 'Pears' }] }] },
      replyMessage: { title: '2 items selected' },
    },
  },
};

export const quickReplyBody = {
  ...envelope(), type: 'interactive',
  interactiveData: {
    bid: APPLE_BID,
    data: { version: '1.0', requestIdentifier: 'req-q', 'quick-reply': { selectedIdentifier: 'agent', selectedIndex: 1, items: [{ identifier: 'status', title: 'Car status' }, { identifier: 'agent', title: 'Talk to a person' }] } },
  },
};

export const timePickerReplyBody = {
  ...envelope(), type: 'interactive',
  interactiveData: {
    bid: APPLE_BID,
    data: {
      version: '1.0', requestIdentifier: 'req-t',
      event: { identifier: 'svc', title: 'Service appointment', timeslots: [{ identifier: 'slot-2', startTime: '2026-11-20T09:00+0000', duration: 3600 }] },
      replyMessage: { title: 'Fri 20 Nov, 9:00' },
    },
  },
};

export const applePayReplyBody = {
  ...envelope(), type: 'interactive',
  interactiveData: { bid: APPLE_BID, data: { version: '1.0', requestIdentifier: 'req-p', payment: { paymentToken: { transactionIdentifier: 'TX1' }, status: 'success' } } },
};

export const authReplyBody = {
  ...envelope(), type: 'interactive',
  interactiveData: { bid: APPLE_BID, data: { version: '1.0', requestIdentifier: 'req-a', authenticate: { status: 'authenticated', token: 'encrypted-token' } } },
};

export const formReplyBody = {
  ...envelope(), type: 'interactive',
  interactiveData: { bid: APPLE_BID, data: { version: '1.0', requestIdentifier: 'req-f', dynamic: { data: { selections: [{ pageIdentifier: '001', values: ['yes'] }] } } } },
};

export const interactiveRefBody = {
  ...envelope(), type: 'interactive',
  interactiveDataRef: {
    url: 'https://p47-content.icloud.com/MREF.C01USN00', owner: 'MREF.C01USN00',
    key: '00ab986f7523802c840e21ce94ec8f40ce579a52daf1fb9eae3fd6cae54ba6a7fa', size: 12345,
    bid: APPLE_BID, signature: '813ebf44a69677aa5eca8d3460096ed4c3d6c3b021', title: 'Choose your services',
  },
};

export const unknownTypeBody = { ...envelope(), type: 'richLink', richLinkData: { url: 'https://example.com', title: 'x' } };
