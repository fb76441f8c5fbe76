/**
 * The Acme SMS Gateway API v2 as this package speaks it: base URL, paths, limits, error codes, the
 * webhook signature scheme and SMS segment counting. Everything here describes the platform; the
 * connector and the fake server both build on it so they cannot drift apart.
 * @module
 */
import { hmacSha256Hex } from '@switchboard/core';

/** Production base URL of the gateway (no trailing slash). */
export const ACME_API_BASE_URL = 'https://api.acme-sms.example';

/** Path of the send endpoint. */
export const ACME_MESSAGES_PATH = '/v2/messages';

/** Header carrying the webhook signature (lower-case, as the host hands headers over). */
export const ACME_SIGNATURE_HEADER = 'x-acme-signature';

/** Limits the gateway documents. */
export const ACME_LIMITS = {
  /** Longest `text` accepted, in UTF-16 code units; longer is refused with 400 `text_too_long`. */
  textMaxLength: 1600,
  /** Messages per second per sender (`from`); more are answered 429 with Retry-After. */
  messagesPerSecondPerSender: 10,
  /** Webhook timestamps older (or newer) than this are replays and must be refused. */
  signatureToleranceSeconds: 300,
  /** Longest `client_ref`. */
  clientRefMaxLength: 64,
  /** Longest alphanumeric sender id (the GSM originating-address limit). */
  alphanumericSenderMaxLength: 11,
} as const;

/** Error codes of the gateway's `{ error: { code, message } }` bodies, by HTTP status. */
export const ACME_ERROR_CODES = {
  invalid_request: 400,
  invalid_number: 400,
  invalid_sender: 400,
  text_too_long: 400,
  unauthorized: 401,
  insufficient_credit: 402,
  recipient_opted_out: 403,
  not_found: 404,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

/** A documented error code. */
export type AcmeErrorCode = keyof typeof ACME_ERROR_CODES;

/** Delivery statuses `message.status` webhooks carry. */
export type AcmeDeliveryStatus = 'sent' | 'delivered' | 'failed' | 'expired';

/** A customer number: E.164, `+` and 7 to 15 digits, no leading zero. */
export const E164 = /^\+[1-9]\d{6,14}$/;

/** An alphanumeric sender id: 1-11 letters, digits or spaces, with at least one letter. */
export const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

/**
 * Builds the `X-Acme-Signature` value for a body: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The timestamp is inside the signed string, so it cannot be changed without breaking the signature.
 * @param secret - the webhook signing secret
 * @param body - the raw bytes sent
 * @param timestampSeconds - when the delivery was signed, in Unix seconds
 * @returns the header value
 * @example
 * signAcmeWebhook('whsec_x', Buffer.from('{}'), 1_700_000_000) // 't=1700000000,v1=…'
 */
export function signAcmeWebhook(secret: string, body: Buffer, timestampSeconds: number): string {
  const t = Math.floor(timestampSeconds);
  return `t=${t},v1=${hmacSha256Hex(secret, Buffer.concat([Buffer.from(`${t}.`, 'utf8'), body]))}`;
}

/** The parts of an `X-Acme-Signature` value. */
export interface AcmeSignatureParts {
  /** Unix seconds. */
  timestamp: number;
  /** One or more hex digests (several while a secret is being rotated). */
  signatures: string[];
}

/**
 * Reads an `X-Acme-Signature` value. Unknown elements (future schemes, `v0`) are ignored, as the
 * gateway's documentation asks.
 * @param value - the header value
 * @returns the timestamp and `v1` digests, or undefined when either is missing or malformed
 */
export function readAcmeSignature(value: string): AcmeSignatureParts | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const element of value.split(',')) {
    const at = element.indexOf('=');
    if (at < 0) continue;
    const key = element.slice(0, at).trim();
    const v = element.slice(at + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(v) || timestamp !== undefined) return undefined;
      timestamp = Number(v);
    } else if (key === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(v)) return undefined;
      signatures.push(v.toLowerCase());
    }
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}

// GSM 03.38 default alphabet and its extension table (3GPP TS 23.038 §6.2.1); an extension
// character costs two septets because it is sent as ESC + character
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENSION = new Set('^{}\\[~]|€\f');

/** How a text travels as SMS. */
export interface SegmentCount {
  /** GSM-7 when every character is in the GSM default alphabet or its extension, else UCS-2. */
  encoding: 'GSM-7' | 'UCS-2';
  /** Length in the encoding's units (septets for GSM-7, UTF-16 code units for UCS-2). */
  units: number;
  /** Number of SMS the text is sent as (160/153 septets or 70/67 code units per segment). */
  segments: number;
}

/**
 * Counts the segments a text is sent (and billed) as: one SMS holds 160 GSM-7 septets or 70 UCS-2
 * code units; a concatenated message loses 7 septets (3 code units) per segment to the header that
 * lets the handset join the parts.
 * @param text - the message text
 * @returns encoding, length in units and number of segments
 * @example
 * countSegments('a'.repeat(161)) // { encoding: 'GSM-7', units: 161, segments: 2 }
 */
export function countSegments(text: string): SegmentCount {
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (GSM7_BASIC.has(ch)) septets += 1;
    else if (GSM7_EXTENSION.has(ch)) septets += 2;
    else { gsm = false; break; }
  }
  if (gsm) return { encoding: 'GSM-7', units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  const units = text.length;
  return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}
