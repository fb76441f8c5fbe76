/**
 * What a connector hands the conformance suite: samples and signing, nothing connector-specific
 * in the suite itself.
 * @module
 */
import type { Address, ConnectorErrorKind, Content, ContentType } from '@switchboard/core';

/** One inbound sample, shaped like the platform's documented webhook. */
export interface InboundFixture {
  /** Name of the sample (e.g. "text message", "status delivered"). */
  name: string;
  /** The body: an object (serialised with JSON.stringify), a string, or exact bytes. */
  body: unknown;
  /** Extra request headers (the suite adds the signature headers from `sign`). */
  headers?: Record<string, string>;
  /** Query parameters. */
  query?: Record<string, string>;
  /** Expected events, in order, each matched with `toMatchObject` (partial objects are fine). */
  expected: Record<string, unknown>[];
}

/** One documented platform error and the family `classify` must map it to. */
export interface ErrorFixture {
  name: string;
  /** What the connector's send would have thrown (e.g. a ProviderHttpError with the documented body). */
  error: unknown;
  expected: ConnectorErrorKind;
  /** For rate-limited errors: the delay expected. */
  retryAfterMs?: number;
}

/** The samples and signing a connector supplies to {@link describeConnectorConformance}. */
export interface ConformanceFixtures {
  /** A valid config input for `plugin.parseConfig`. */
  config: unknown;
  /**
   * Signs a body as the platform does: returns the headers to add. `wrong-secret` signs with a
   * different secret of the same shape.
   */
  sign(body: Buffer, variant: 'valid' | 'wrong-secret'): Record<string, string>;
  /** The header that carries the signature or token (lower-case). */
  signatureHeader: string;
  /**
   * Whether the signature covers the body (default true). False for static-token schemes such as
   * Telegram's secret_token, where a changed body with the right token cannot be told apart: the
   * suite then skips the tampered-body check and says so.
   */
  signatureCoversBody?: boolean;
  /** The subscription handshake, when the platform has one. */
  handshake?: {
    valid: { query: Record<string, string>; expectedBody: string };
    invalid: { query: Record<string, string> };
  };
  /** Every documented inbound kind. */
  inbound: InboundFixture[];
  /** The address render samples are sent to. */
  address: Address;
  /** Sample content per type where the suite's defaults do not suit the channel. */
  samples?: Partial<Record<ContentType, Content>>;
  /** Device capabilities passed with render samples (Apple's capability list). */
  recipientCapabilities?: string[];
  /** Documented platform errors. */
  errors: ErrorFixture[];
}
