import { describe, expect, it } from 'vitest';
import { ERROR_CODES, SwitchboardError, type SwitchboardErrorCode } from '@switchboard/core';
import { ERROR_STATUS, errorResponse, statusOf } from './errors.js';

/** The status each code is meant to answer with, written out so a changed status is a decision, not a slip. */
const INTENDED: Record<SwitchboardErrorCode, number> = {
  CONFIG_INVALID: 400, VALIDATION_FAILED: 400, BAD_JSON: 400, MALFORMED_PAYLOAD: 400, CONTENT_INVALID: 400,
  UNAUTHORIZED: 401, WEBHOOK_VERIFICATION_FAILED: 401,
  FORBIDDEN: 403, NOT_FOUND: 404, METHOD_NOT_ALLOWED: 405, CONFLICT: 409, PAYLOAD_TOO_LARGE: 413, UNSUPPORTED_MEDIA_TYPE: 415,
  CONTENT_UNSUPPORTED: 422, POLICY_DENIED: 422, WINDOW_CLOSED: 422, RECIPIENT_BLOCKED: 422, TEMPLATE_REJECTED: 422,
  RATE_LIMITED: 429, TOO_MANY_STREAMS: 429,
  INTERNAL: 500,
  PERMANENT_FAILURE: 502, RETRYABLE_FAILURE: 502, PROVIDER_HTTP_ERROR: 502, PROVIDER_NETWORK_ERROR: 502, PROVIDER_REJECTED: 502,
  PLUGIN_LOAD_FAILED: 503, NOT_READY: 503, STORE_UNAVAILABLE: 503,
};

describe('error code → HTTP status', () => {
  it('regression: a platform rejecting a template (TEMPLATE_REJECTED) answers 422, not 500 internal error', () => {
    const { status, body } = errorResponse(new SwitchboardError('TEMPLATE_REJECTED', 'the platform refused the template: bad example', false, { details: { platformCode: 'PERMANENT_FAILURE' } }));
    expect(status).toBe(422);
    expect(body.error).toEqual({ code: 'TEMPLATE_REJECTED', message: 'the platform refused the template: bad example', details: { platformCode: 'PERMANENT_FAILURE' } });
  });

  it.each(ERROR_CODES.map((code) => [code] as const))('%s maps to the status intended for it', (code) => {
    expect(ERROR_STATUS[code]).toBe(INTENDED[code]);
    expect(errorResponse(new SwitchboardError(code, 'x')).status).toBe(INTENDED[code]);
  });

  it('the map is total over the code set and says nothing else; only INTERNAL is a 500', () => {
    expect(Object.keys(ERROR_STATUS).sort()).toEqual([...ERROR_CODES].sort());
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) {
      const status = ERROR_STATUS[code];
      expect(status >= 400 && status < 600).toBe(true);
      if (code !== 'INTERNAL') expect(status).not.toBe(500);
    }
  });

  it('a code core does not know (an error from a foreign copy of core) is a 500 that keeps its code', () => {
    const foreign = Object.assign(new Error('vendor says no'), { code: 'ACME_SPECIAL', retryable: false });
    expect(statusOf('ACME_SPECIAL')).toBe(500);
    expect(errorResponse(foreign)).toEqual({ status: 500, body: { error: { code: 'ACME_SPECIAL', message: 'vendor says no' } } });
  });

  it('anything that is not a Switchboard error answers 500 without revealing its message', () => {
    expect(errorResponse(new Error('secret internals'))).toEqual({ status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } });
  });
});
