import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitText, truncateText } from '../index.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const nonWhitespace = (s: string): string => s.replace(/\s+/g, '');

describe('splitText', () => {
  it('keeps short text whole, including empty text', () => {
    expect(splitText('Hello', 10)).toEqual(['Hello']);
    expect(splitText('', 10)).toEqual(['']);
    expect(splitText('x'.repeat(10), 10)).toEqual(['x'.repeat(10)]);
  });
  it('prefers sentence boundaries', () => {
    expect(splitText('One. Two. Three.', 10)).toEqual(['One. Two.', 'Three.']);
  });
  it('prefers paragraphs, then lines, then words', () => {
    expect(splitText('First paragraph here.\n\nSecond one.', 30)).toEqual(['First paragraph here.', 'Second one.']);
    expect(splitText('line one\nline two is longer', 20)).toEqual(['line one', 'line two is longer']);
    expect(splitText('alpha beta gamma delta', 12)).toEqual(['alpha beta', 'gamma delta']);
  });
  it('cuts hard when there is no boundary, never inside a surrogate pair', () => {
    expect(splitText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    const emoji = '😀'.repeat(3); // six code units
    expect(splitText(`a${emoji}`, 2)).toEqual(['a', '😀', '😀', '😀']);
  });
  it('refuses a maximum below 1', () => {
    expect(() => splitText('x', 0)).toThrow(RangeError);
  });
  it('splits a WhatsApp-length message into parts of at most 4096', () => {
    const text = Array.from({ length: 900 }, (_, i) => `Sentence number ${i}.`).join(' ');
    const parts = splitText(text, 4096);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(4096);
      expect(p).toMatch(/\.$/);
    }
  });
  const wellFormedText = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '.', '😀', '€', '\t', '!'), maxLength: 300 }),
  );
  it('every part ≤ max, no surrogate pair split, non-whitespace kept in order (property)', () => {
    fc.assert(fc.property(wellFormedText, fc.integer({ min: 2, max: 60 }), (text, max) => {
      const parts = splitText(text, max);
      for (const p of parts) {
        expect(p.length).toBeLessThanOrEqual(max);
        expect(LONE_SURROGATE.test(p), `part has a split surrogate pair: ${JSON.stringify(p)}`).toBe(false);
      }
      expect(nonWhitespace(parts.join(''))).toBe(nonWhitespace(text));
    }), { numRuns: 1000 });
  });
  it('any UTF-16 string, even with lone surrogates: parts ≤ max and nothing lost (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.integer({ min: 2, max: 60 }), (text, max) => {
      const parts = splitText(text, max);
      for (const p of parts) expect(p.length).toBeLessThanOrEqual(max);
      expect(nonWhitespace(parts.join(''))).toBe(nonWhitespace(text));
    }), { numRuns: 500 });
  });
  it('with max 1 parts are single code units and nothing is lost (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (text) => {
      const parts = splitText(text, 1);
      for (const p of parts) expect(p.length).toBeLessThanOrEqual(1);
      expect(nonWhitespace(parts.join(''))).toBe(nonWhitespace(text));
    }));
  });
});

describe('truncateText', () => {
  it('keeps short text and adds an ellipsis to long text', () => {
    expect(truncateText('short', 10)).toBe('short');
    expect(truncateText('abcdefghij', 5)).toBe('abcd…');
  });
  it('never splits a surrogate pair', () => {
    expect(truncateText('ab😀cd', 4)).toBe('ab…');
  });
  it('never exceeds max (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), fc.integer({ min: 1, max: 60 }), (text, max) => {
      const t = truncateText(text, max);
      expect(t.length).toBeLessThanOrEqual(max);
      expect(LONE_SURROGATE.test(t)).toBe(false);
    }));
  });
});
