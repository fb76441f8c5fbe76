import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as schemas from './schemas.js';
import { parseInput, RequestValidationError } from './validation.js';

const all = Object.entries(schemas).filter((e): e is [string, z.ZodType] => e[1] instanceof z.ZodType);

/** Objects with the schema's own keys holding arbitrary values: they get past "unknown key" into every check. */
function nearShaped(schema: z.ZodType): fc.Arbitrary<unknown> {
  const shape = (schema as { shape?: Record<string, unknown> }).shape ?? (schema as { def?: { in?: { shape?: Record<string, unknown> }; schema?: { shape?: Record<string, unknown> } } }).def?.in?.shape;
  const keys = Object.keys(shape ?? {});
  if (keys.length === 0) return fc.anything();
  return fc.record(Object.fromEntries(keys.map((k) => [k, fc.oneof(fc.anything(), fc.string(), fc.constantFrom('2025-09-01', 'bot', 'template', 'text', 'a@b.c'))])), { requiredKeys: [] });
}

describe('request schemas', () => {
  it.each(all)('%s never throws anything but its typed error', (_name, schema) => {
    fc.assert(fc.property(fc.oneof(fc.anything(), nearShaped(schema)), (input) => {
      try { parseInput(schema, input); } catch (error) {
        expect(error).toBeInstanceOf(RequestValidationError);
        expect((error as RequestValidationError).problems.length).toBeGreaterThan(0);
      }
    }), { numRuns: 300 });
  });

  it('lists every problem with its path, unknown keys one by one', () => {
    try {
      parseInput(schemas.SendRequestSchema, { channel: 1, content: { type: 'text', text: '', x: 1, y: 2 }, purpose: 'spam' });
      expect.unreachable();
    } catch (error) {
      expect((error as RequestValidationError).problems).toEqual(expect.arrayContaining([
        { field: 'channel', message: expect.any(String) }, { field: 'accountId', message: 'is required' },
        { field: 'content.text', message: 'must not be empty' }, { field: 'content.x', message: 'is not a known field' }, { field: 'content.y', message: 'is not a known field' },
        { field: 'purpose', message: expect.stringContaining('must be one of') }, { field: 'userId', message: 'or conversationId is required' },
      ]));
    }
  });

  it('keeps the parsed value only: what the schema does not declare is never passed on', () => {
    const parsed = parseInput(schemas.ContentSchema, { type: 'location', latitude: 1, longitude: 2 });
    expect(parsed).toEqual({ type: 'location', latitude: 1, longitude: 2 });
    const rich = parseInput(schemas.ContentSchema, { type: 'rich', kind: 'form', payload: { fields: [{ id: 'a' }] } });
    expect(rich).toEqual({ type: 'rich', kind: 'form', payload: { fields: [{ id: 'a' }] } });
  });

  it('sets knowledge-base keywords from strings', () => {
    expect(parseInput(schemas.ConsoleSettingsSchema, { knowledgeBase: [{ title: 'Returns', url: 'https://shop.example/returns', keywords: ['refund'] }] }).knowledgeBase[0]!.keywords).toEqual(['refund']);
  });
});
