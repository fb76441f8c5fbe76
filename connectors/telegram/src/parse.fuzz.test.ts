import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MalformedPayloadError, type RawWebhook } from '@switchboard/core';
import { TelegramConnector } from './telegram-connector.js';
import { parseConfig } from './config.js';
import * as u from './__fixtures__/updates.js';

const connector = new TelegramConnector(parseConfig({ botToken: '7000000001:AAFakeSandboxTokenForSwitchboard001', secretToken: 's' }));
const req = (body: Buffer): RawWebhook => ({ method: 'POST', path: '/', query: {}, headers: {}, body });

function onlyMalformed(body: Buffer): void {
  try {
    const events = connector.parse(req(body));
    expect(Array.isArray(events)).toBe(true);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedPayloadError);
  }
}

const samples = Object.values(u) as Record<string, unknown>[];

/** Replaces one value somewhere in a JSON tree with an arbitrary one. */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  if (entries.length === 0) return replacement;
  const [key, child] = entries[path[0]! % entries.length]!;
  const copy: Record<string | number, unknown> = Array.isArray(value) ? [...value] : { ...value };
  copy[key] = mutate(child, path.slice(1), replacement);
  return copy;
}

describe('parse never throws anything but MalformedPayloadError', () => {
  it('on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => onlyMalformed(Buffer.from(bytes))), { numRuns: 300 });
  });

  it('on arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => onlyMalformed(Buffer.from(JSON.stringify(value) ?? 'null'))), { numRuns: 300 });
  });

  it('on documented updates with one value replaced by anything', () => {
    fc.assert(fc.property(
      fc.constantFrom(...samples), fc.array(fc.nat(), { maxLength: 6 }), fc.jsonValue(),
      (sample, path, replacement) => onlyMalformed(Buffer.from(JSON.stringify(mutate(sample, path, replacement)))),
    ), { numRuns: 1000 });
  });

  it('on documented updates with one field removed', () => {
    fc.assert(fc.property(fc.constantFrom(...samples), fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), (sample, path) => {
      const text = JSON.stringify(mutate(sample, path, undefined));
      onlyMalformed(Buffer.from(text ?? ''));
    }), { numRuns: 500 });
  });
});
