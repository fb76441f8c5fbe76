import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSwitchboardError, type RawWebhook } from '@switchboard/core';
import { envelope, inbound, PHONE_NUMBER_ID } from './__fixtures__/inbound.js';
import { parseConfig } from './config.js';
import { WhatsAppConnector } from './whatsapp-connector.js';

const connector = new WhatsAppConnector(parseConfig({ accessToken: 't', appSecret: 's', verifyToken: 'v', phoneNumberId: PHONE_NUMBER_ID }));
const raw = (body: Buffer): RawWebhook => ({ method: 'POST', path: '/', query: {}, headers: {}, body });

function onlyMalformed(body: Buffer): boolean {
  try {
    return Array.isArray(connector.parse(raw(body)));
  } catch (e) {
    return isSwitchboardError(e) && e.code === 'MALFORMED_PAYLOAD';
  }
}

describe('parse fuzz: only MalformedPayloadError on garbage', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (a) => onlyMalformed(Buffer.from(a))), { numRuns: 300 });
  });
  it('random JSON', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => onlyMalformed(Buffer.from(JSON.stringify(v) ?? 'null'))), { numRuns: 300 });
  });
  it('documented samples with one field replaced by random JSON', () => {
    const paths = (node: unknown, prefix: (string | number)[] = []): (string | number)[][] => {
      const out = [prefix];
      if (Array.isArray(node)) node.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
      else if (typeof node === 'object' && node !== null) for (const [k, v] of Object.entries(node)) out.push(...paths(v, [...prefix, k]));
      return out;
    };
    const arb = fc.constantFrom(...inbound.map((s) => s.body)).chain((body) =>
      fc.tuple(fc.constantFrom(...paths(body).filter((p) => p.length > 0)), fc.jsonValue({ maxDepth: 3 })).map(([path, value]) => {
        const copy = structuredClone(body) as Record<string | number, unknown>;
        let node = copy;
        for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
        node[path[path.length - 1]!] = value;
        return Buffer.from(JSON.stringify(copy));
      }));
    fc.assert(fc.property(arb, onlyMalformed), { numRuns: 1000 });
  });
  it('messages of random types and shapes', () => {
    const arb = fc.record({ type: fc.string(), extra: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })) }).map(({ type, extra }) =>
      Buffer.from(JSON.stringify(envelope({ messages: [{ from: '1', id: 'w', timestamp: '1', type, ...extra }] }))));
    fc.assert(fc.property(arb, onlyMalformed), { numRuns: 300 });
  });
  it('valid samples parse', () => {
    for (const s of inbound) expect(() => connector.parse(raw(Buffer.from(JSON.stringify(s.body))))).not.toThrow();
  });
});
