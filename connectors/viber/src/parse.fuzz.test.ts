import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSwitchboardError } from '@switchboard/core';
import { parseConfig } from './config.js';
import { ViberConnector } from './viber-connector.js';
import { callbacks } from './__fixtures__/callbacks.js';
import { BASE_CONFIG, signedRequest } from './__fixtures__/helpers.js';

const connector = new ViberConnector(parseConfig(BASE_CONFIG));

function onlyMalformed(body: Buffer): boolean {
  try {
    return Array.isArray(connector.parse(signedRequest(body)));
  } catch (e) {
    return isSwitchboardError(e) && e.code === 'MALFORMED_PAYLOAD';
  }
}

const samples = Object.values(callbacks);

describe('parse never throws anything but MalformedPayloadError', () => {
  it('on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => onlyMalformed(Buffer.from(bytes))), { numRuns: 300 });
  });
  it('on random JSON', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => onlyMalformed(Buffer.from(JSON.stringify(v) ?? 'null'))), { numRuns: 300 });
  });
  it('on documented callbacks with one byte changed', () => {
    fc.assert(fc.property(fc.constantFrom(...samples), fc.nat(), fc.integer({ min: 0, max: 255 }), (sample, at, byte) => {
      const b = Buffer.from(sample, 'utf8');
      b[at % b.length] = byte;
      return onlyMalformed(b);
    }), { numRuns: 500 });
  });
  it('on documented callbacks with one field replaced by any JSON value', () => {
    const withEvent = fc.constantFrom(...samples.map((s) => JSON.parse(s) as Record<string, unknown>));
    fc.assert(fc.property(withEvent, fc.jsonValue({ maxDepth: 3 }), fc.nat(), fc.boolean(), (sample, value, pick, inMessage) => {
      const copy = structuredClone(sample);
      const target = inMessage && typeof copy.message === 'object' && copy.message !== null ? (copy.message as Record<string, unknown>) : copy;
      const keys = Object.keys(target);
      target[keys[pick % keys.length]!] = value;
      return onlyMalformed(Buffer.from(JSON.stringify(copy)));
    }), { numRuns: 500 });
  });
  it('keeps message tokens exact for any 64-bit value', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (token) => {
      const body = callbacks.delivered.replace(/"message_token":\d+/, `"message_token":${token}`);
      const [event] = connector.parse(signedRequest(body));
      expect(event).toMatchObject({ externalId: token.toString() });
    }), { numRuns: 200 });
  });
});
