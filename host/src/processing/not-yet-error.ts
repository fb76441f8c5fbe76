/**
 * The one error the inbox treats as expected: an event that cannot be handled yet.
 * @module
 */

/**
 * Thrown by a handler for an event that cannot be handled yet (a receipt that overtook its
 * message's send): the worker retries the entry with backoff and logs it at debug level only.
 */
export class NotYetError extends Error {}
