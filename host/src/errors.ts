/**
 * Host errors and the one place error codes become HTTP statuses.
 * @module
 */
import { isSwitchboardError, isSwitchboardErrorCode, SwitchboardError, type SwitchboardErrorCode } from '@switchboard/core';

/** Something asked for does not exist (or belongs to another tenant: the answer is the same). */
export class NotFoundError extends SwitchboardError {
  /**
   * @param kind - what was looked for
   * @param id - its id
   */
  constructor(kind: string, id: string) {
    super('NOT_FOUND', `${kind} ${id} not found`, false, { details: { kind, id } });
  }
}

/**
 * The request's input is invalid; `details.field` names the bad field and `details.problems` lists
 * it as schema failures list theirs (`[{ field, message }]`), so every VALIDATION_FAILED answer has
 * the same shape.
 */
export class ValidationError extends SwitchboardError {
  /**
   * @param field - the bad field
   * @param message - what is wrong
   */
  constructor(field: string, message: string) {
    super('VALIDATION_FAILED', `${field}: ${message}`, false, { details: { field, problems: [{ field, message }] } });
  }
}

/** No or an unknown API key. */
export class UnauthorizedError extends SwitchboardError {
  /** @param message - why */
  constructor(message = 'a valid API key is required: Authorization: Bearer <key>') {
    super('UNAUTHORIZED', message, false);
  }
}

/** The request conflicts with the resource's state. */
export class ConflictError extends SwitchboardError {
  /** @param message - what conflicts */
  constructor(message: string, details?: Record<string, unknown>) {
    super('CONFLICT', message, false, details ? { details } : {});
  }
}

/**
 * HTTP status per error code: the single map the whole host uses. It is total over core's closed
 * {@link SwitchboardErrorCode} set (`satisfies` makes a code without a status a compile error), so
 * no code the host or a connector throws falls through to 500. 4xx: the request cannot succeed as
 * sent (input, rights, a policy or platform refusal of its content, load shed); 5xx: the host or a
 * platform failed.
 */
export const ERROR_STATUS = {
  CONFIG_INVALID: 400,
  VALIDATION_FAILED: 400,
  BAD_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  METHOD_NOT_ALLOWED: 405,
  CONTENT_INVALID: 400,
  CONTENT_UNSUPPORTED: 422,
  WEBHOOK_VERIFICATION_FAILED: 401,
  MALFORMED_PAYLOAD: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  POLICY_DENIED: 422,
  WINDOW_CLOSED: 422,
  RECIPIENT_BLOCKED: 422,
  // the platform refused the template's content: the caller changes it, retrying as is will not help
  TEMPLATE_REJECTED: 422,
  RATE_LIMITED: 429,
  TOO_MANY_STREAMS: 429,
  PERMANENT_FAILURE: 502,
  RETRYABLE_FAILURE: 502,
  PROVIDER_HTTP_ERROR: 502,
  PROVIDER_NETWORK_ERROR: 502,
  PROVIDER_REJECTED: 502,
  PLUGIN_LOAD_FAILED: 503,
  NOT_READY: 503,
  STORE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const satisfies Record<SwitchboardErrorCode, number>;

/**
 * The HTTP status of an error code.
 * @param code - a code read from an error (possibly from another copy of core)
 * @returns its status; 500 only for `INTERNAL` and codes core does not know
 */
export function statusOf(code: string): number {
  return isSwitchboardErrorCode(code) ? ERROR_STATUS[code] : 500;
}

/** The JSON error body every endpoint answers with. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/**
 * Maps anything thrown to an HTTP status and body. Unknown errors become a 500 whose message
 * reveals nothing internal.
 * @param error - what was thrown
 * @returns status and body
 */
export function errorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (isSwitchboardError(error)) {
    const status = statusOf(error.code);
    return { status, body: { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } } };
  }
  // body-parser and friends signal client errors with a status/type
  const e = error as { status?: unknown; type?: unknown; message?: unknown } | undefined;
  if (e && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    const code = e.type === 'entity.parse.failed' ? 'BAD_JSON' : e.status === 413 ? 'PAYLOAD_TOO_LARGE' : e.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'VALIDATION_FAILED';
    const message = code === 'BAD_JSON' ? 'the request body is not valid JSON' : typeof e.message === 'string' ? e.message : 'bad request';
    return { status: e.status, body: { error: { code, message } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } };
}
