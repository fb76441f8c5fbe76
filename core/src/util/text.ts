/**
 * Text helpers connectors share: splitting long text at natural boundaries.
 * @module
 */

/**
 * Splits text into parts of at most `max` UTF-16 code units, preferring paragraph, then line, then
 * sentence, then word boundaries, and never splitting a surrogate pair.
 * @param text - the text
 * @param max - maximum length of a part (≥ 1)
 * @returns the parts, in order; joined they give back the text apart from the whitespace at the cuts
 * @example
 * splitText('One. Two. Three.', 10) // ['One. Two.', 'Three.']
 */
export function splitText(text: string, max: number): string[] {
  if (max < 1) throw new RangeError('max must be at least 1');
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = findCut(rest, max);
    const head = rest.slice(0, cut).trimEnd();
    parts.push(head.length > 0 ? head : rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

function findCut(text: string, max: number): number {
  const window = text.slice(0, max + 1);
  const minUseful = Math.floor(max / 3);
  for (const pattern of [/\n\s*\n/g, /\n/g, /[.!?…。](?=\s)/g, /\s/g]) {
    let last = -1;
    for (const m of window.matchAll(pattern)) {
      const end = m.index + (pattern.source.startsWith('[') ? 1 : 0);
      if (end <= max && end > 0) last = end;
    }
    if (last >= minUseful) return last;
  }
  // no boundary: hard cut, but never between the halves of a surrogate pair
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff && max > 1 ? max - 1 : max;
}

/**
 * Truncates text to `max` code units with an ellipsis, never splitting a surrogate pair.
 * @param text - the text
 * @param max - maximum length including the ellipsis
 * @returns the text, shortened when needed
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
