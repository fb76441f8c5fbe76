/**
 * Parses Acme SMS Gateway webhooks into normalised inbound events.
 * @module
 */
import {
  MalformedPayloadError, isObject, optString, parseJsonObject, reqString, type InboundEvent,
} from '@switchboard/core';
import type { AcmeDeliveryStatus } from './acme-api.js';

// the gateway documents RFC 3339 UTC timestamps; anything else is not a delivery from it
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

const STATUS_MAP: Record<AcmeDeliveryStatus, 'sent' | 'delivered' | 'failed'> = {
  sent: 'sent',
  delivered: 'delivered',
  failed: 'failed',
  // the message's validity period ran out before the handset could be reached
  expired: 'failed',
};

function occurredAt(body: Record<string, unknown>): Date {
  const value = reqString(body, 'occurred_at');
  if (!RFC3339.test(value)) throw new MalformedPayloadError('occurred_at must be an RFC 3339 timestamp');
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new MalformedPayloadError(`occurred_at ${value} is not a valid date`);
  return date;
}

/**
 * Parses one webhook body.
 * @param body - the raw bytes (already verified)
 * @param accountId - the sender id this connector serves
 * @returns one event; an unknown `type` or `status` becomes an `unsupported` event
 * @throws MalformedPayloadError when the body is not a well-formed Acme webhook
 */
export function parseAcmeWebhook(body: Buffer, accountId: string): InboundEvent[] {
  const payload = parseJsonObject(body);
  const type = reqString(payload, 'type');
  switch (type) {
    case 'message.received': {
      const from = reqString(payload, 'from');
      const text = reqString(payload, 'text');
      return [{
        kind: 'message', channel: 'sms', accountId, userId: from, externalId: reqString(payload, 'id'),
        timestamp: occurredAt(payload), content: { type: 'text', text },
      }];
    }
    case 'message.status': {
      const externalId = reqString(payload, 'id');
      const to = reqString(payload, 'to');
      const status = reqString(payload, 'status');
      const timestamp = occurredAt(payload);
      // hasOwn: a status such as "constructor" must not find Object.prototype's members
      const mapped = Object.hasOwn(STATUS_MAP, status) ? STATUS_MAP[status as AcmeDeliveryStatus] : undefined;
      if (mapped === undefined) {
        return [{ kind: 'unsupported', channel: 'sms', accountId, userId: to, reason: `Acme delivery status "${status}"`, timestamp }];
      }
      let error: { code: string; message: string } | undefined;
      const raw = payload.error;
      if (raw !== undefined && raw !== null) {
        if (!isObject(raw)) throw new MalformedPayloadError('error must be an object');
        error = { code: reqString(raw, 'code', 'error.'), message: optString(raw, 'message', 'error.') ?? '' };
      }
      if (mapped === 'failed' && !error) error = status === 'expired' ? { code: 'expired', message: 'the message expired before it could be delivered' } : { code: 'unknown', message: '' };
      return [{
        kind: 'status', channel: 'sms', accountId, userId: to, externalId, status: mapped, timestamp,
        ...(error ? { error } : {}),
      }];
    }
    default:
      return [{ kind: 'unsupported', channel: 'sms', accountId, reason: `Acme event type "${type}"` }];
  }
}
