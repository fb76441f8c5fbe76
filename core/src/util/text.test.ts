import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitText, truncateText } from '../index.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const nonWhitespace = (s: string): string => s.replace(/\s+/g, '');

const FAMILY = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}'; // 👨‍👩‍👧‍👦, 11 code units
const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });
const graphemes = (s: string): string[] => [...segmenter.segment(s)].map((g) => g.segment);
/** Offsets of the text's grapheme boundaries. */
const boundariesOf = (s: string): Set<number> => new Set([...[...segmenter.segment(s)].map((g) => g.index), s.length]);

/**
 * Finds the parts in the text in order: between and around them only whitespace, each starting
 * and ending on a grapheme boundary of the text.
 */
function located(text: string, parts: string[]): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let cursor = 0;
  for (const part of parts) {
    const start = text.indexOf(part, cursor);
    expect(start, `part ${JSON.stringify(part)} is not in the text after offset ${cursor}`).toBeGreaterThanOrEqual(0);
    expect(text.slice(cursor, start)).toMatch(/^\s*$/);
    spans.push({ start, end: start + part.length });
    cursor = start + part.length;
  }
  expect(text.slice(cursor)).toMatch(/^\s*$/);
  return spans;
}

/** Text made of graphemes of every kind that trips a code-unit cut: ZWJ families, flags, combining accents, CRLF, Thai, skin tones. */
const graphemeText = fc.array(fc.constantFrom(
  FAMILY, '\u{1F1E9}\u{1F1EA}', 'e\u0301', 'a', 'b', ' ', '\n', '\r\n', '.', '!', '\u{1F600}', '\u0E01\u0E49', '\u{1F44D}\u{1F3FD}', '\u20AC', '\t', 'z\u0308\u0301',
), { maxLength: 120 }).map((gs) => gs.join(''));

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

describe('splitText on grapheme boundaries', () => {
  it('regression: a family emoji is never cut in two (it was split by UTF-16 code units)', () => {
    const text = `ab${FAMILY}${FAMILY}`;
    const parts = splitText(text, 12);
    expect(parts).toEqual(['ab', FAMILY, FAMILY]);
    expect(splitText(`${'x'.repeat(8)}${FAMILY}`, 12)).toEqual(['x'.repeat(8), FAMILY]);
  });
  it('keeps flags, accents and CRLF whole at a hard cut', () => {
    expect(splitText('\u{1F1E9}\u{1F1EA}\u{1F1EB}\u{1F1F7}', 6)).toEqual(['\u{1F1E9}\u{1F1EA}', '\u{1F1EB}\u{1F1F7}']);
    expect(splitText('abe\u0301', 3)).toEqual(['ab', 'e\u0301']);
    expect(splitText('ab\r\ncd', 3)).toEqual(['ab', 'cd']);
  });
  it('cuts a single grapheme longer than the limit between its code points, the only cut inside one', () => {
    const zalgo = `z${'\u0301'.repeat(9)}`;
    const parts = splitText(zalgo, 4);
    expect(parts.join('')).toBe(zalgo);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(4);
  });
  it('every part ≤ max, no grapheme split, the text given back apart from whitespace at the cuts (property)', () => {
    fc.assert(fc.property(graphemeText, fc.integer({ min: 11, max: 80 }), (text, max) => {
      const parts = splitText(text, max);
      const bounds = boundariesOf(text);
      for (const p of parts) expect(p.length).toBeLessThanOrEqual(max);
      for (const { start, end } of located(text, parts)) {
        expect(bounds.has(start), `part starts inside a grapheme at ${start}`).toBe(true);
        expect(bounds.has(end), `part ends inside a grapheme at ${end}`).toBe(true);
      }
      expect(parts.flatMap(graphemes).filter((g) => !/^\s+$/.test(g))).toEqual(graphemes(text).filter((g) => !/^\s+$/.test(g)));
    }), { numRuns: 1000 });
  });
  it('any well-formed text whose graphemes fit: no grapheme split (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.integer({ min: 1, max: 60 }), (text, max) => {
      fc.pre(graphemes(text).every((g) => g.length <= max));
      const parts = splitText(text, max);
      const bounds = boundariesOf(text);
      for (const p of parts) expect(p.length).toBeLessThanOrEqual(max);
      for (const { start, end } of located(text, parts)) {
        expect(bounds.has(start) && bounds.has(end)).toBe(true);
      }
    }), { numRuns: 1000 });
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
  it('regression: never cuts a family emoji (it kept half of it before the ellipsis)', () => {
    expect(truncateText(`Family: ${FAMILY}!`, 12)).toBe('Family: …');
    expect(truncateText(`Family: ${FAMILY}!!`, 20)).toBe(`Family: ${FAMILY}…`);
  });
  it('never exceeds max and ends on a grapheme boundary (property)', () => {
    fc.assert(fc.property(graphemeText, fc.integer({ min: 1, max: 60 }), (text, max) => {
      const t = truncateText(text, max);
      expect(t.length).toBeLessThanOrEqual(max);
      if (t !== text) {
        expect(t.endsWith('…')).toBe(true);
        expect(boundariesOf(text).has(t.length - 1)).toBe(true);
        expect(text.startsWith(t.slice(0, -1))).toBe(true);
      }
    }), { numRuns: 500 });
  });
  it('never exceeds max (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 50 }), fc.integer({ min: 1, max: 60 }), (text, max) => {
      const t = truncateText(text, max);
      expect(t.length).toBeLessThanOrEqual(max);
      expect(LONE_SURROGATE.test(t)).toBe(false);
    }));
  });
});
