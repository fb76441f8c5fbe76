import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock, isSwitchboardError, type RawWebhook } from '@switchboard/core';
import { AppleConnector } from './apple-connector.js';
import { parseConfig } from './config.js';
import * as fx from './__fixtures__/inbound.js';

const connector = new AppleConnector(parseConfig(fx.config), { clock: new ManualClock(Date.parse('2026-11-15T10:00:00Z')) });
const samples = [fx.textBody, fx.attachmentBody, fx.listPickerReplyBody, fx.quickReplyBody, fx.timePickerReplyBody, fx.applePayReplyBody, fx.authReplyBody, fx.formReplyBody, fx.interactiveRefBody, fx.closeBody, fx.typingStartBody];

function parses(body: Buffer, headers: Record<string, string>): boolean {
  const req: RawWebhook = { method: 'POST', path: '/', query: {}, headers, body };
  try { return Array.isArray(connector.parse(req)); } catch (e) { return isSwitchboardError(e) && e.code === 'MALFORMED_PAYLOAD'; }
}

/** Replaces the value at one random path of a sample. */
function mutate(sample: unknown, pick: number, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(sample)) as unknown;
  const paths: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach((v, i) => { paths.push({ parent: node, key: i }); walk(v); });
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) { paths.push({ parent: node as Record<string, unknown>, key: k }); walk(v); }
  };
  walk(copy);
  const target = paths[pick % paths.length]!;
  (target.parent as Record<string | number, unknown>)[target.key] = value;
  return copy;
}

describe('parse fuzz: only MalformedPayloadError on garbage', () => {
  it('random bytes, with and without gzip headers', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, gz) =>
      parses(Buffer.from(bytes), { ...fx.headers(), ...(gz ? { 'content-encoding': 'gzip' } : {}) })), { numRuns: 300 });
  });
  it('random JSON values, plain and gzipped, with random header values', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), fc.option(fc.string()), (v, gz, cap) => {
      const json = Buffer.from(JSON.stringify(v) ?? 'null');
      const headers: Record<string, string> = { ...fx.headers(), ...(cap !== null ? { 'capability-list': cap, id: cap } : {}) };
      return parses(gz ? gzipSync(json) : json, gz ? { ...headers, 'content-encoding': 'gzip' } : headers);
    }), { numRuns: 300 });
  });
  it('documented samples with one leaf replaced by anything', () => {
    fc.assert(fc.property(fc.constantFrom(...samples), fc.nat(), fc.jsonValue({ maxDepth: 3 }), (sample, pick, value) =>
      parses(Buffer.from(JSON.stringify(mutate(sample, pick, value))), fx.headers())), { numRuns: 500 });
  });
  it('documented samples without headers and with one field removed', () => {
    fc.assert(fc.property(fc.constantFrom(...samples), fc.nat(), (sample, pick) => {
      const v = mutate(sample, pick, undefined);
      return parses(Buffer.from(JSON.stringify(v)), {});
    }), { numRuns: 300 });
  });
  it('every documented sample parses', () => {
    for (const s of samples) expect(() => connector.parse({ method: 'POST', path: '/', query: {}, headers: fx.headers(), body: Buffer.from(JSON.stringify(s)) })).not.toThrow();
  });
});
