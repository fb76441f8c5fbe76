import {
  PermanentError, ProviderHttpError, ProviderNetworkError, RateLimitedError, RetryableError, classifyUnknownPlatformFailure, connectorErrorKind,
  hmacSha256Hex, isMediaContent, type Connector, type ConnectorPlugin, type OutboundFile, type OutboundMessage,
} from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { describeConnectorConformance } from './conformance.js';
import type { ConformanceFixtures } from './conformance-types.js';
import { checkMediaDeclaration, checkMediaDownload, checkMediaUploadBytes, checkMediaUploadUrl } from './media-conformance.js';
import { UNKNOWN_PLATFORM_FAILURES, UnknownFailureConformanceError, checkUnknownPlatformFailures } from './unknown-failure-conformance.js';
import { FakeRelayServer, relayPlugin } from './__fixtures__/relay-plugin.js';
import { relayMediaPlugin } from './__fixtures__/relay-media-plugin.js';

const fixtures: ConformanceFixtures = {
  config: { secret: 'relay-secret', apiBaseUrl: 'https://relay.example.com', account: 'acct-1' },
  sign: (body, variant) => ({ 'x-relay-signature': hmacSha256Hex(variant === 'valid' ? 'relay-secret' : 'other-secret', body) }),
  signatureHeader: 'x-relay-signature',
  inbound: [
    {
      name: 'text message',
      body: { messages: [{ id: 'm1', from: 'u1', text: 'Is my car ready?', ts: 1_700_000_000_000 }] },
      expected: [{ kind: 'message', userId: 'u1', externalId: 'm1', content: { type: 'text', text: 'Is my car ready?' } }],
    },
    { name: 'empty delivery', body: { messages: [] }, expected: [] },
  ],
  address: { channel: 'relay', accountId: 'acct-1', userId: 'u1' },
  errors: [
    { name: '429', error: new ProviderHttpError(429, { error: 'slow down' }, { 'retry-after': '3' }), expected: 'rate-limited', retryAfterMs: 3000 },
    { name: '503', error: new ProviderHttpError(503, 'unavailable', {}), expected: 'retryable' },
    { name: '400', error: new ProviderHttpError(400, { error: 'bad' }, {}), expected: 'permanent' },
  ],
};

// The suite run against a minimal connector of a made-up channel: proves the suite needs nothing
// but what the SPI and the fixtures give it. It declares no media support and still passes.
describeConnectorConformance(relayPlugin, fixtures);

// The same channel with media, in each way of moving outbound files: every media check runs and passes.
const mediaFixtures: ConformanceFixtures = {
  ...fixtures,
  inbound: [...fixtures.inbound, {
    name: 'image message',
    body: { messages: [{ id: 'm2', from: 'u1', ts: 1_700_000_000_000, file: { id: 'f-7', type: 'image/png', caption: 'The scratch' } }] },
    expected: [{ kind: 'message', content: { type: 'image', media: { id: 'f-7', mimeType: 'image/png', caption: 'The scratch' } } }],
  }],
};
describeConnectorConformance(relayMediaPlugin('bytes'), mediaFixtures);
describeConnectorConformance(relayMediaPlugin('encrypted-bytes'), mediaFixtures);
describeConnectorConformance(relayMediaPlugin('url'), mediaFixtures);

/** The plugin with its connector's methods replaced (the rest reached through the prototype). */
function withConnector(plugin: ConnectorPlugin, override: (real: Connector) => Partial<Connector>): ConnectorPlugin {
  return { ...plugin, create: (config, deps) => { const real = plugin.create(config, deps); return Object.assign(Object.create(real) as Connector, override(real)); } };
}

const address = fixtures.address;
const bytes = relayMediaPlugin('bytes');

describe('media checks fail a plugin that does not do what it declares', () => {
  describe('declaration', () => {
    it('a plugin declaring media.download whose connector has no downloadMedia fails, saying so', async () => {
      const broken = withConnector(bytes, () => ({ downloadMedia: undefined }));
      expect(() => checkMediaDeclaration(broken, fixtures.config)).toThrow('relay: the plugin declares media.download, but its connector has no downloadMedia(media, options)');
      await expect(checkMediaDownload(broken, address)).rejects.toThrow('media.download is declared, but the connector has no downloadMedia');
    });
    it('a connector with downloadMedia whose plugin does not declare media.download fails, saying so', () => {
      expect(() => checkMediaDeclaration({ ...bytes, media: { upload: 'bytes' } }, fixtures.config)).toThrow('the connector implements downloadMedia, but the plugin does not declare media.download');
    });
    it('a plugin that declares nothing and implements nothing passes', () => {
      expect(() => checkMediaDeclaration(relayPlugin, fixtures.config)).not.toThrow();
    });
  });

  describe('download', () => {
    it('passes for a connector that streams the file and refuses past maxBytes', async () => {
      const report = await checkMediaDownload(bytes, address);
      expect(report.ref).toMatchObject({ id: expect.stringMatching(/^f-/), mimeType: 'image/png' });
      expect(report.bytes).toBeGreaterThan(8);
    });
    it('a download that ignores maxBytes fails', async () => {
      const broken = withConnector(bytes, (real) => ({ downloadMedia: (media, options) => real.downloadMedia!(media, { ...options, maxBytes: Number.MAX_SAFE_INTEGER }) }));
      await expect(checkMediaDownload(broken, address)).rejects.toThrow(/downloadMedia with maxBytes \d+ \(one byte under the file's \d+\) delivered \d+ bytes instead of failing/);
    });
    it('a download refused past maxBytes with a retryable error fails (retrying cannot make the file smaller)', async () => {
      const broken = withConnector(bytes, (real) => ({
        downloadMedia: async (media, options) => {
          try { return await real.downloadMedia!(media, options); } catch (e) { throw new RetryableError('too big, try later', { cause: e }); }
        },
      }));
      await expect(checkMediaDownload(broken, address)).rejects.toThrow('downloadMedia past maxBytes must fail with a ConnectorError classified permanent (retrying cannot make the file smaller); got RetryableError RETRYABLE_FAILURE (retryable): too big, try later');
    });
    it('a download that gives other bytes than the platform holds fails, with both hashes', async () => {
      const broken = withConnector(bytes, (real) => ({
        downloadMedia: async (media, options) => {
          const d = await real.downloadMedia!(media, options);
          return { ...d, body: (async function* extra() { for await (const c of d.body) yield c; yield new Uint8Array([0]); })() };
        },
      }));
      await expect(checkMediaDownload(broken, address)).rejects.toThrow(/downloadMedia streamed \d+ bytes with SHA-256 [0-9a-f]{64}; the fake holds \d+ bytes with SHA-256 [0-9a-f]{64}/);
    });
    it('a download that refuses a file of exactly maxBytes fails (the limit is the most bytes accepted)', async () => {
      const broken = withConnector(bytes, (real) => ({ downloadMedia: (media, options) => real.downloadMedia!(media, { ...options, maxBytes: options.maxBytes - 1 }) }));
      await expect(checkMediaDownload(broken, address)).rejects.toThrow(/with maxBytes equal to the file's \d+ bytes the download must succeed; it failed/);
    });
    it('a declared download cannot be checked without a fake that simulates media: the check says which part is missing', async () => {
      await expect(checkMediaDownload({ ...bytes, fake: undefined }, address)).rejects.toThrow('media.download is declared, but the plugin has no fake() platform');
      await expect(checkMediaDownload({ ...bytes, fake: (options) => new FakeRelayServer(options) }, address)).rejects.toThrow('the fake platform cannot simulate a customer\'s media message (its simulatedKinds lack \'media\')');
    });
  });

  describe('upload as bytes', () => {
    it('passes for a connector that uploads once and then sends by reference', async () => {
      const report = await checkMediaUploadBytes(bytes, address);
      expect(report.ref).toMatchObject({ id: expect.stringMatching(/^f-/), mimeType: 'image/png' });
      expect(report.requests).toEqual({ first: 2, second: 1 });
    });
    it('a send with a file that returns no reference fails', async () => {
      const broken = withConnector(bytes, (real) => ({ send: async (msg) => { const { media: _dropped, ...rest } = await real.send(msg); return rest; } }));
      await expect(checkMediaUploadBytes(broken, address)).rejects.toThrow('send with a file returned no SendResult.media.ref with an id or url');
    });
    it('a reference under which the platform holds nothing fails', async () => {
      const broken = withConnector(bytes, (real) => ({ send: async (msg) => ({ ...(await real.send(msg)), media: { ref: { id: 'f-999' } } }) }));
      await expect(checkMediaUploadBytes(broken, address)).rejects.toThrow('the fake holds no bytes for the reference the upload returned ({"id":"f-999"})');
    });
    // a plausible bug: the connector keeps the last file and uploads it again instead of sending by the id it got
    const reuploading = (plugin: ConnectorPlugin): ConnectorPlugin => withConnector(plugin, (real) => {
      let last: OutboundFile | undefined;
      return {
        send: async (msg: OutboundMessage) => {
          if (msg.file) last = msg.file;
          if (!msg.file && last && isMediaContent(msg.content)) {
            const { id: _id, ...media } = msg.content.media;
            return real.send({ ...msg, content: { ...msg.content, media }, file: last });
          }
          return real.send(msg);
        },
      };
    });
    it('a connector that uploads the bytes again on the send by reference fails, naming the request', async () => {
      await expect(checkMediaUploadBytes(reuploading(bytes), address)).rejects.toThrow('the second send, by reference, uploaded the file again: 1 request(s) carried its bytes (POST /upload)');
    });
    it('an encrypted upload repeated on the send by reference fails on the request count (no request carries the plain bytes)', async () => {
      const encrypted = relayMediaPlugin('encrypted-bytes');
      await expect(checkMediaUploadBytes(encrypted, address)).resolves.toMatchObject({ requests: { first: 2, second: 1 } });
      await expect(checkMediaUploadBytes(reuploading(encrypted), address)).rejects.toThrow('the second send by reference made 2 request(s), no fewer than the first\'s 2: it must skip the upload');
    });
    it('sends a kind the policy accepts: a document when the policy takes no PNG images', async () => {
      const jpegOnly = { ...bytes, policy: { ...bytes.policy, mediaTypes: { image: ['image/jpeg'] } } };
      await expect(checkMediaUploadBytes(jpegOnly, address)).resolves.toMatchObject({ ref: { mimeType: 'application/pdf' } });
      const nothing = { ...bytes, policy: { ...bytes.policy, mediaTypes: { image: [], document: [], video: [], audio: [] } } };
      await expect(checkMediaUploadBytes(nothing, address)).rejects.toThrow('no media kind (image, document, video, audio) is both supported and of a type and size the policy accepts');
    });
  });

  describe('upload by URL', () => {
    const url = relayMediaPlugin('url');
    it('passes for a connector that hands the URL to the platform', async () => {
      const report = await checkMediaUploadUrl(url, address);
      expect(report.ref.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/conformance\/photo\.png$/);
    });
    it('a connector that never hands the URL to the platform fails', async () => {
      const broken = withConnector(url, (real) => ({ send: (msg) => real.send({ ...msg, content: { type: 'text', text: 'Your invoice' } }) }));
      // no wait: a platform that never got the URL never fetches it, however long the check waited
      await expect(checkMediaUploadUrl(broken, address, { fetchBoundMs: 0 })).rejects.toThrow(/the platform never fetched http:\/\/127\.0\.0\.1:\d+\/conformance\/photo\.png/);
    });
  });
});

describe('the unknown-failure check', () => {
  const now = Date.parse('2026-11-15T10:00:00Z');
  it('expects of every sample what core\'s classifyUnknownPlatformFailure gives it (the table has not drifted from core)', () => {
    for (const sample of UNKNOWN_PLATFORM_FAILURES) {
      const classified = classifyUnknownPlatformFailure(sample.error(), { now, platform: 'relay' });
      expect(connectorErrorKind(classified), sample.name).toBe(sample.expected);
      if (sample.retryAfterMs !== undefined) expect((classified as { retryAfterMs?: number }).retryAfterMs, sample.name).toBe(sample.retryAfterMs);
    }
  });
  it('passes a connector that falls back to core', () => {
    expect(() => checkUnknownPlatformFailures(relayPlugin.create(relayPlugin.parseConfig(fixtures.config)))).not.toThrow();
  });
  it('fails a connector that calls an unknown failure permanent (WhatsApp\'s old reading), naming each sample', () => {
    const broken = withConnector(relayPlugin, (real) => ({
      classify: (error) => (error instanceof ProviderHttpError || error instanceof ProviderNetworkError ? real.classify(error) : new PermanentError('unexpected error while sending')),
    }));
    let thrown: unknown;
    try { checkUnknownPlatformFailures(broken.create(broken.parseConfig(fixtures.config))); } catch (e) { thrown = e; }
    expect(thrown).toBeInstanceOf(UnknownFailureConformanceError);
    expect((thrown as UnknownFailureConformanceError).mismatches).toEqual([
      'a TypeError: permanent, expected retryable', 'a plain Error: permanent, expected retryable',
      'a thrown string: permanent, expected retryable', 'undefined: permanent, expected retryable',
    ]);
  });
  it('fails a connector that calls a 408 permanent or ignores a Retry-After, and one whose classify throws', () => {
    const broken = withConnector(relayPlugin, (real) => ({
      classify: (error) => {
        if (error instanceof ProviderHttpError && error.status === 408) return new PermanentError('refused: 408');
        if (error instanceof ProviderHttpError && error.status === 429) return new RateLimitedError('throttled', 1000);
        if (error === undefined) throw new TypeError('no error to classify');
        return real.classify(error);
      },
    }));
    expect(() => checkUnknownPlatformFailures(broken.create(broken.parseConfig(fixtures.config)))).toThrow(
      'relay: 3 unknown platform failure(s) classified differently from core\'s classifyUnknownPlatformFailure:\n'
      + '  - HTTP 408 with an error page: permanent, expected retryable\n'
      + '  - HTTP 429 with Retry-After: 3: waits 1000 ms, expected 3000\n'
      + '  - undefined: classify threw TypeError: no error to classify',
    );
  });
});
