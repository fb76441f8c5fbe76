import { describe, expect, it } from 'vitest';
import { connectorErrorKind, ProviderHttpError, ProviderNetworkError, RateLimitedError, WindowClosedError } from '@switchboard/core';
import { parseConfig } from './config.js';
import { MessengerConnector } from './messenger-connector.js';

const connector = new MessengerConnector(parseConfig({ pageAccessToken: 't', appSecret: 's', verifyToken: 'v', pageId: '1' }), { clock: { now: () => Date.parse('2026-11-22T10:00:00Z') } });
const graph = (status: number, code: number, message: string, subcode?: number, headers: Record<string, string> = {}): ProviderHttpError =>
  new ProviderHttpError(status, { error: { message, type: 'OAuthException', code, ...(subcode !== undefined ? { error_subcode: subcode } : {}), fbtrace_id: 'BLBz/WZt8dN' } }, headers);

describe('classify', () => {
  it.each([
    ['#10/2018278 outside the window', graph(400, 10, '(#10) This message is sent outside of allowed window.', 2018278), 'window-closed'],
    ['#10 window by message text', graph(400, 10, '(#10) This message is sent outside of allowed window. Learn more about the new policy here'), 'window-closed'],
    ['#10/2018065 news messaging permission', graph(403, 10, '(#10) This message is sent outside of allowed window. You need News Messaging permission', 2018065), 'window-closed'],
    ['#10/1893063 page restricted', graph(400, 10, '(#10) Page temporarily restricted from sending messages', 1893063), 'permanent'],
    ['#551 person not available', graph(400, 551, "(#551) This person isn't available right now.", 1545041), 'recipient-blocked'],
    ['#613 rate', graph(400, 613, 'Calls to this api have exceeded the rate limit.'), 'rate-limited'],
    ['#4 app rate', graph(400, 4, 'Application request limit reached'), 'rate-limited'],
    ['#32 page rate', graph(400, 32, 'Page request limit reached'), 'rate-limited'],
    ['#100 invalid parameter', graph(400, 100, '(#100) param recipient must be non-empty.'), 'permanent'],
    ['#100/2018001 no matching user', graph(400, 100, '(#100) No matching user found', 2018001), 'permanent'],
    ['#190 token', graph(400, 190, 'Invalid OAuth access token.'), 'permanent'],
    ['#200 permission', graph(403, 200, '(#200) This message is sent outside of the allowed window'), 'permanent'],
    ['#2 temporary', graph(500, 2, 'An unexpected error has occurred. Please retry your request later.'), 'retryable'],
    ['#1200 temporary send failure', graph(500, 1200, 'Temporary send message failure. Please try again later.'), 'retryable'],
    ['is_transient', new ProviderHttpError(400, { error: { code: 9999, message: 'x', is_transient: true } }, {}), 'retryable'],
    ['plain 502', new ProviderHttpError(502, '<html>Bad gateway</html>', {}), 'retryable'],
    ['429 without body', new ProviderHttpError(429, '', {}), 'rate-limited'],
    ['network', new ProviderNetworkError('socket hang up'), 'retryable'],
    ['anything', 'a string', 'retryable'],
  ] as const)('%s → %s', (_name, error, kind) => {
    const classified = connector.classify(error);
    expect(connectorErrorKind(classified)).toBe(kind);
    if (typeof error === 'object') expect(classified.cause).toBe(error);
  });
  it('keeps the Graph code, subcode and trace id in details', () => {
    const c = connector.classify(graph(400, 10, '(#10) outside of allowed window', 2018278));
    expect(c).toBeInstanceOf(WindowClosedError);
    expect(c.details).toMatchObject({ graphCode: 10, graphSubcode: 2018278, fbtraceId: 'BLBz/WZt8dN', httpStatus: 400 });
    expect(c.message).toBe('(#10/2018278) (#10) outside of allowed window');
  });
  it('613 waits a second, call-count limits a minute, Retry-After wins', () => {
    expect((connector.classify(graph(400, 613, 'rate')) as RateLimitedError).retryAfterMs).toBe(1000);
    expect((connector.classify(graph(400, 4, 'rate')) as RateLimitedError).retryAfterMs).toBe(60_000);
    expect((connector.classify(graph(400, 613, 'rate', undefined, { 'retry-after': '7' })) as RateLimitedError).retryAfterMs).toBe(7000);
  });
  it('passes an already classified error through', () => {
    const e = new RateLimitedError('x', 5);
    expect(connector.classify(e)).toBe(e);
  });
});
