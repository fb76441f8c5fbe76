import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSwitchboardError } from '@switchboard/core';
import { parseAcmeWebhook } from './parse-acme-webhook.js';
import { webhooks } from './__fixtures__/webhooks.js';

const onlyMalformed = (body: Buffer): boolean => {
  try {
    return Array.isArray(parseAcmeWebhook(body, '+12025550100'));
  } catch (e) {
    return isSwitchboardError(e) && e.code === 'MALFORMED_PAYLOAD';
  }
};

const samples = Object.values(webhooks) as Record<string, unknown>[];

describe('parse (properties)', () => {
  it('random bytes only ever give events or MalformedPayloadError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (a) => onlyMalformed(Buffer.from(a))), { numRuns: 500 });
  });
  it('random JSON only ever gives events or MalformedPayloadError', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => onlyMalformed(Buffer.from(JSON.stringify(v) ?? 'null'))), { numRuns: 500 });
  });
  it('documented samples with any one field replaced by any JSON value', () => {
    fc.assert(fc.property(
      fc.constantFrom(...samples), fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), fc.boolean(),
      (sample, randomKey, value, known) => {
        const keys = Object.keys(sample);
        const key = known ? keys[randomKey.length % keys.length]! : randomKey;
        return onlyMalformed(Buffer.from(JSON.stringify({ ...sample, [key]: value })));
      },
    ), { numRuns: 1000 });
  });
  it('a parsed message keeps the customer text exactly', () => {
    fc.assert(fc.property(fc.string({ maxLength: 1600, unit: 'grapheme' }), (text) => {
      const [event] = parseAcmeWebhook(Buffer.from(JSON.stringify({ ...webhooks.received, text })), '+12025550100');
      return event?.kind === 'message' && event.content.type === 'text' && event.content.text === text;
    }), { numRuns: 200 });
  });
  it('documented samples always parse', () => {
    for (const sample of samples) expect(onlyMalformed(Buffer.from(JSON.stringify(sample)))).toBe(true);
  });
});
