/**
 * Whether a connector classifies the failures its platform does not explain as core does for every
 * connector ({@link classifyUnknownPlatformFailure}): an HTTP status with an error page no platform
 * writes, no answer at all, or something that is no platform failure. A connector that decides these
 * its own way makes the host retry, pace or give up differently per channel for the same fault.
 * @module
 */
import { ProviderHttpError, ProviderNetworkError, connectorErrorKind, isSwitchboardError, type Connector, type ConnectorErrorKind } from '@switchboard/core';

/** One failure no platform explains, and the family every connector must give it. */
export interface UnknownFailureSample {
  /** What the sample is, in the failure message. */
  name: string;
  /** Builds what a platform call would have thrown. */
  error: () => unknown;
  /** The family core gives it. */
  expected: ConnectorErrorKind;
  /** For a rate limit: the delay its `Retry-After` asks for. */
  retryAfterMs?: number;
}

// an error page a proxy or load balancer in front of any platform might send: no platform's error body
const PAGE = '<html><head><title>Error</title></head><body>The server could not handle the request.</body></html>';
const http = (status: number, headers: Record<string, string> = {}): ProviderHttpError => new ProviderHttpError(status, PAGE, headers);

/**
 * The failures checked. 410 is left out on purpose: platforms give it a meaning (Apple: the customer
 * deleted the conversation, so recipient-blocked), which a connector may map.
 */
export const UNKNOWN_PLATFORM_FAILURES: readonly UnknownFailureSample[] = [
  ...[400, 401, 403, 404, 409, 422].map((status): UnknownFailureSample => ({ name: `HTTP ${status} with an error page`, error: () => http(status), expected: 'permanent' })),
  ...[408, 500, 502, 503, 504].map((status): UnknownFailureSample => ({ name: `HTTP ${status} with an error page`, error: () => http(status), expected: 'retryable' })),
  { name: 'HTTP 429 with Retry-After: 3', error: () => http(429, { 'retry-after': '3' }), expected: 'rate-limited', retryAfterMs: 3000 },
  { name: 'HTTP 429 without Retry-After', error: () => http(429), expected: 'rate-limited' },
  { name: 'a network failure', error: () => new ProviderNetworkError('request to api.example.com failed: ECONNRESET'), expected: 'retryable' },
  { name: 'a TypeError', error: () => new TypeError("Cannot read properties of undefined (reading 'id')"), expected: 'retryable' },
  { name: 'a plain Error', error: () => new Error('something odd happened'), expected: 'retryable' },
  { name: 'a thrown string', error: () => 'boom', expected: 'retryable' },
  { name: 'undefined', error: () => undefined, expected: 'retryable' },
];

/** A connector classified a failure its platform does not explain differently from core. */
export class UnknownFailureConformanceError extends Error {
  /** Every mismatch, one line each. */
  readonly mismatches: readonly string[];
  /**
   * @param channel - the connector's channel
   * @param mismatches - one line per sample classified differently
   */
  constructor(channel: string, mismatches: readonly string[]) {
    super(`${channel}: ${mismatches.length} unknown platform failure(s) classified differently from core's classifyUnknownPlatformFailure:\n${mismatches.map((m) => `  - ${m}`).join('\n')}`);
    this.name = 'UnknownFailureConformanceError';
    this.mismatches = mismatches;
  }
}

/**
 * Feeds every {@link UNKNOWN_PLATFORM_FAILURES} sample to `connector.classify` and checks the family
 * (and a rate limit's delay when the sample names one).
 * @param connector - a connector, as its plugin creates it
 * @throws UnknownFailureConformanceError listing every sample classified differently
 * @example
 * ```ts
 * it('classifies unknown failures as core does', () => checkUnknownPlatformFailures(plugin.create(config)));
 * ```
 */
export function checkUnknownPlatformFailures(connector: Connector): void {
  const mismatches: string[] = [];
  for (const sample of UNKNOWN_PLATFORM_FAILURES) {
    let classified: unknown;
    try {
      classified = connector.classify(sample.error());
    } catch (thrown) {
      mismatches.push(`${sample.name}: classify threw ${String(thrown)}`);
      continue;
    }
    if (!isSwitchboardError(classified)) { mismatches.push(`${sample.name}: classify returned no Switchboard error`); continue; }
    const kind = connectorErrorKind(classified);
    if (kind !== sample.expected) { mismatches.push(`${sample.name}: ${kind}, expected ${sample.expected}`); continue; }
    const delay = (classified as { retryAfterMs?: unknown }).retryAfterMs;
    if (sample.retryAfterMs !== undefined && delay !== sample.retryAfterMs) mismatches.push(`${sample.name}: waits ${String(delay)} ms, expected ${sample.retryAfterMs}`);
  }
  if (mismatches.length > 0) throw new UnknownFailureConformanceError(connector.channel, mismatches);
}
