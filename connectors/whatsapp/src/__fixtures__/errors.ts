/**
 * Graph API error answers as the Cloud API documents them (error codes reference), wrapped as
 * core's ProviderHttpError, with the family each must be classified into.
 */
import { ProviderHttpError, ProviderNetworkError, type ConnectorErrorKind } from '@switchboard/core';

/** A Graph error answer. */
export function graphError(status: number, code: number, message: string, details?: string, headers: Record<string, string> = {}, subcode?: number): ProviderHttpError {
  return new ProviderHttpError(status, {
    error: {
      message, type: 'OAuthException', code, ...(subcode !== undefined ? { error_subcode: subcode } : {}),
      ...(details !== undefined ? { error_data: { messaging_product: 'whatsapp', details } } : {}), fbtrace_id: 'AazMT6m3CuJ2y4rTw1V0Bk2',
    },
  }, { 'content-type': 'application/json', ...headers });
}

/** Documented errors and their expected classification. */
export const errorSamples: { name: string; error: unknown; expected: ConnectorErrorKind; retryAfterMs?: number }[] = [
  { name: '130429 throughput reached', error: graphError(400, 130429, '(#130429) Rate limit hit', 'Cloud API message throughput has been reached.'), expected: 'rate-limited', retryAfterMs: 1000 },
  { name: '130429 with Retry-After: 3', error: graphError(400, 130429, '(#130429) Rate limit hit', undefined, { 'retry-after': '3' }), expected: 'rate-limited', retryAfterMs: 3000 },
  {
    name: '131056 pair rate limit', expected: 'rate-limited', retryAfterMs: 6000,
    error: graphError(400, 131056, '(#131056) (Business Account, Consumer Account) pair rate limit hit', 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.'),
  },
  { name: '80007 WABA rate limit', error: graphError(400, 80007, '(#80007) Rate limit issues'), expected: 'rate-limited', retryAfterMs: 60000 },
  {
    name: '131047 re-engagement (outside the 24 h window)', expected: 'window-closed',
    error: graphError(400, 131047, '(#131047) Re-engagement message', 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.'),
  },
  { name: '131026 undeliverable', error: graphError(400, 131026, '(#131026) Message Undeliverable', 'Message Undeliverable.'), expected: 'permanent' },
  {
    name: '131049 ecosystem engagement limit', expected: 'permanent',
    error: graphError(400, 131049, '(#131049) This message was not delivered to maintain healthy ecosystem engagement.', 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.'),
  },
  {
    name: '131050 user stopped marketing messages', expected: 'permanent',
    error: graphError(400, 131050, '(#131050) Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business'),
  },
  { name: '132001 template does not exist', error: graphError(404, 132001, '(#132001) Template name does not exist in the translation', 'template name (gate_change) does not exist in en_US'), expected: 'permanent' },
  { name: '132000 template parameter count', error: graphError(400, 132000, '(#132000) Number of parameters does not match the expected number of params'), expected: 'permanent' },
  { name: '132015 template paused', error: graphError(400, 132015, '(#132015) Template is Paused'), expected: 'permanent' },
  { name: '100 invalid parameter', error: graphError(400, 100, '(#100) Invalid parameter', "Param text['body'] must be at most 4096 characters long."), expected: 'permanent' },
  { name: '190 invalid access token', error: graphError(401, 190, 'Invalid OAuth access token - Cannot parse access token'), expected: 'permanent' },
  { name: '131000 something went wrong', error: graphError(500, 131000, '(#131000) Something went wrong'), expected: 'retryable' },
  { name: '131016 service unavailable', error: graphError(503, 131016, '(#131016) Service unavailable'), expected: 'retryable' },
  { name: '133004 server temporarily unavailable', error: graphError(503, 133004, '(#133004) Server temporarily unavailable'), expected: 'retryable' },
  { name: 'bare 502 from a proxy', error: new ProviderHttpError(502, '<html>Bad Gateway</html>', {}), expected: 'retryable' },
  { name: 'network error', error: new ProviderNetworkError('request to graph.facebook.com failed: ECONNRESET'), expected: 'retryable' },
];
