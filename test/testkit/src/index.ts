/**
 * `@switchboard/testkit`: the connector conformance suite any connector — ours or a vendor's — runs
 * in its own test file, and the base for fake platform servers.
 * @packageDocumentation
 */
export { describeConnectorConformance, DEFAULT_SAMPLES, type ConformanceOptions } from './conformance.js';
export type { ConformanceFixtures, ErrorFixture, InboundFixture } from './conformance-types.js';
export {
  checkMediaDeclaration, checkMediaDownload, checkMediaUploadBytes, checkMediaUploadUrl, MediaConformanceError,
  type MediaDownloadReport, type MediaUploadReport,
} from './media-conformance.js';
export {
  checkUnknownPlatformFailures, UNKNOWN_PLATFORM_FAILURES, UnknownFailureConformanceError, type UnknownFailureSample,
} from './unknown-failure-conformance.js';
export { FakePlatformServer, FakeRateLimiter, type FakeResponse } from '@switchboard/core';
