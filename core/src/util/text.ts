/**
 * Text helpers connectors share: splitting long text at natural boundaries, and truncating it,
 * without ever cutting a grapheme — what a reader sees as one character (a family emoji, a flag, a
 * letter with its accents) stays in one part.
 *
 * Lengths are counted in UTF-16 code units (`string.length`), the unit the platforms' text limits
 * are counted in (Telegram counts its 4,096 in UTF-16 code units, as its entity offsets are; so do
 * the others' JavaScript-facing limits). A connector passes its channel's limit as `max`.
 * @module
 */

let segmenter: Intl.Segmenter | undefined;

/**
 * The graphemes (Unicode extended grapheme clusters) of a piece of text. Only short pieces are
 * segmented — a window of one part — as the segmenter slows down with the length of the string.
 * A piece that starts on a grapheme boundary of the whole text and holds one code point beyond the
 * offsets asked about segments there as the whole text does: whether an offset is a boundary depends
 * on the text before it back to the previous boundary, and on the code point at it.
 * @param piece - the text to segment
 * @returns its segments
 */
function graphemesOf(piece: string): Intl.Segments {
  segmenter ??= new Intl.Segmenter('und', { granularity: 'grapheme' });
  return segmenter.segment(piece);
}

/** Whether offset `p` of the segmented piece is a grapheme boundary (the piece's end is one). */
function isBoundary(segments: Intl.Segments, p: number): boolean {
  const g = segments.containing(p);
  return g === undefined || g.index === p;
}

const SPACE = /\s/;
const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/**
 * Splits text into parts of at most `max` UTF-16 code units, preferring paragraph, then line, then
 * sentence, then word boundaries, and never cutting inside a grapheme (Intl.Segmenter). The
 * whitespace at a cut is dropped: a part neither ends nor (after the first) begins with whitespace.
 * Only a single grapheme longer than `max` on its own — a pathological stack of combining marks,
 * which no part could hold — is cut, between its code points (never between the halves of a
 * surrogate pair while `max` ≥ 2).
 * @param text - the text
 * @param max - maximum length of a part in UTF-16 code units (≥ 1)
 * @returns the parts, in order; joined they give back the text apart from the whitespace at the cuts
 * @throws RangeError when `max` is below 1
 * @example
 * splitText('One. Two. Three.', 10) // ['One. Two.', 'Three.']
 * splitText('👨‍👩‍👧‍👦👨‍👩‍👧‍👦', 12) // ['👨‍👩‍👧‍👦', '👨‍👩‍👧‍👦'] (11 code units each: never half a family)
 */
export function splitText(text: string, max: number): string[] {
  if (!(max >= 1)) throw new RangeError('max must be at least 1');
  if (text.length <= max) return [text];
  const parts: string[] = [];
  let start = 0;
  while (text.length - start > max) {
    // one code point beyond the room, so the boundary at the room's end is the whole text's
    const segments = graphemesOf(text.slice(start, start + max + 2));
    const cut = start + findCut(text.slice(start, start + max + 1), max, segments);
    let end = cut;
    while (end > start && SPACE.test(text[end - 1]!)) end--;
    // a space that belongs to the grapheme before it (after a prepended mark) stays with it
    if (end > start && end < cut && !isBoundary(segments, end - start)) {
      const g = segments.containing(end - start)!;
      end = start + g.index + g.segment.length;
    }
    parts.push(text.slice(start, end > start ? end : cut));
    start = skipSpace(text, cut);
  }
  if (start < text.length || parts.length === 0) parts.push(text.slice(start));
  return parts;
}

/** The offset after the whitespace at `from`, on a grapheme boundary (a combining mark after the last space keeps its space). */
function skipSpace(text: string, from: number): number {
  let s = from;
  while (s < text.length && SPACE.test(text[s]!)) s++;
  // whether s is a boundary depends on the space before it and the code point at it only
  if (s > from && s < text.length && !isBoundary(graphemesOf(text.slice(s - 1, s + 2)), 1)) s -= 1;
  return s;
}

const BOUNDARIES: readonly { pattern: RegExp; after: boolean }[] = [
  { pattern: /\n\s*\n/g, after: false },
  { pattern: /\n/g, after: false },
  { pattern: /[.!?…。](?=\s)/g, after: true },
  { pattern: /\s/g, after: false },
];

/**
 * Where a part ends, relative to its start: a natural boundary in the last two thirds of the room,
 * else the last grapheme boundary that fits.
 * @param window - the text from the part's start, `max + 1` units at most
 * @param max - the room
 * @param segments - the graphemes from the part's start
 * @returns the offset of the cut (1..max)
 */
function findCut(window: string, max: number, segments: Intl.Segments): number {
  const minUseful = Math.floor(max / 3);
  for (const { pattern, after } of BOUNDARIES) {
    const ends = [...window.matchAll(pattern)].map((m) => m.index + (after ? m[0].length : 0)).filter((e) => e > 0 && e <= max);
    for (let i = ends.length - 1; i >= 0 && ends[i]! >= minUseful; i--) if (isBoundary(segments, ends[i]!)) return ends[i]!;
  }
  const g = segments.containing(max);
  if (g === undefined) return max;
  if (g.index > 0) return g.index;
  // one grapheme longer than max: cut between its code points
  return isHighSurrogate(window.charCodeAt(max - 1)) && max > 1 ? max - 1 : max;
}

/**
 * Truncates text to at most `max` UTF-16 code units with an ellipsis, never cutting inside a
 * grapheme (the ellipsis follows the last whole grapheme that fits).
 * @param text - the text
 * @param max - maximum length including the ellipsis
 * @returns the text, shortened when needed
 * @example
 * truncateText('Family: 👨‍👩‍👧‍👦!', 12) // 'Family: …' (the 11-unit family does not fit beside the ellipsis)
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = Math.max(0, max - 1);
  const g = graphemesOf(text.slice(0, room + 2)).containing(room);
  return `${text.slice(0, g ? g.index : room)}…`;
}
