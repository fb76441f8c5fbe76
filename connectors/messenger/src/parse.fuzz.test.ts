import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSwitchboardError } from '@switchboard/core';
import * as F from './__fixtures__/webhooks.js';
import { parseMessengerWebhook } from './parse-webhook.js';

const samples = [F.textMessage, F.quickReplyMessage, F.replyMessage, F.locationMessage, F.templateMessage, F.echoMessage, F.postbackWithReferral,
  F.delivery, F.read, F.notificationStop, F.referral, F.reaction, F.messageEdit, F.twoEntries];

const onlyMalformed = (body: Buffer): boolean => {
  try {
    return Array.isArray(parseMessengerWebhook(body));
  } catch (e) {
    return isSwitchboardError(e) && e.code === 'MALFORMED_PAYLOAD';
  }
};

/** Replaces the value at one path of a sample. */
function mutate(sample: unknown, pick: number, value: unknown): unknown {
  const paths: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    paths.push(path);
    if (Array.isArray(node)) node.forEach((v, i) => walk(v, [...path, i]));
    else if (typeof node === 'object' && node !== null) for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
  };
  walk(sample, []);
  const target = paths[pick % paths.length]!;
  if (target.length === 0) return value;
  const copy = JSON.parse(JSON.stringify(sample)) as Record<string | number, unknown>;
  let node = copy;
  for (const key of target.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[target[target.length - 1]!] = value;
  return copy;
}

describe('parse fuzz', () => {
  it('random bytes only ever give MalformedPayloadError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (a) => onlyMalformed(Buffer.from(a))), { numRuns: 500 });
  });
  it('random JSON only ever gives MalformedPayloadError', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => onlyMalformed(Buffer.from(JSON.stringify(v) ?? 'null'))), { numRuns: 500 });
  });
  it('samples with one leaf replaced only ever give MalformedPayloadError', () => {
    fc.assert(fc.property(fc.constantFrom(...samples), fc.nat(), fc.jsonValue({ maxDepth: 3 }), (sample, pick, value) =>
      onlyMalformed(Buffer.from(JSON.stringify(mutate(sample, pick, value))))), { numRuns: 2000 });
  });
  it('samples with a byte flipped only ever give MalformedPayloadError', () => {
    fc.assert(fc.property(fc.constantFrom(...samples), fc.nat(), fc.integer({ min: 0, max: 255 }), (sample, at, byte) => {
      const b = Buffer.from(JSON.stringify(sample));
      b[at % b.length] = byte;
      return onlyMalformed(b);
    }), { numRuns: 1000 });
  });
  it('a sample parses to events (sanity: the fuzz starts from valid input)', () => {
    expect(parseMessengerWebhook(Buffer.from(JSON.stringify(F.textMessage)))).toHaveLength(1);
  });
});
