/**
 * The delivery status of an outbound message and its one-way state machine.
 * @module
 */

/** Status of a message over its life. `failed` is final; `read` is the last success state. */
export type DeliveryStatus = 'accepted' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

/** The statuses a platform reports in receipts. */
export type ReceiptStatus = 'sent' | 'delivered' | 'read' | 'failed';

const RANK: Record<DeliveryStatus, number> = { accepted: 0, queued: 1, sent: 2, delivered: 3, read: 4, failed: 5 };

/**
 * Whether a message may move from `current` to `next`. Statuses only move forward
 * (accepted < queued < sent < delivered < read); `failed` is final; a late `delivered` after
 * `read` changes nothing, and nothing leaves `failed`. A `failed` receipt after `read` is ignored:
 * the customer has already read the message.
 * @param current - the stored status
 * @param next - the status a receipt reports
 * @returns true when `next` should replace `current`
 */
export function canTransition(current: DeliveryStatus, next: DeliveryStatus): boolean {
  if (current === 'failed') return false;
  if (next === 'failed') return current !== 'read';
  return RANK[next] > RANK[current];
}

/**
 * Applies a receipt to a stored status: the result is never behind the stored one.
 * @param current - the stored status
 * @param next - the status a receipt reports
 * @returns the status to store
 * @example
 * advanceStatus('read', 'delivered') // 'read'
 */
export function advanceStatus(current: DeliveryStatus, next: DeliveryStatus): DeliveryStatus {
  return canTransition(current, next) ? next : current;
}

/**
 * Whether a status is final (nothing can change it).
 * @param status - a status
 * @returns true for `read` and `failed`
 */
export function isFinalStatus(status: DeliveryStatus): boolean {
  return status === 'read' || status === 'failed';
}
