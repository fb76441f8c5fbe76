import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countSegments, readAcmeSignature, signAcmeWebhook } from './acme-api.js';

describe('countSegments', () => {
  it.each([
    ['', 'GSM-7', 0, 1],
    ['a'.repeat(160), 'GSM-7', 160, 1],
    ['a'.repeat(161), 'GSM-7', 161, 2],
    ['a'.repeat(306), 'GSM-7', 306, 2],
    ['a'.repeat(307), 'GSM-7', 307, 3],
    ['€'.repeat(80), 'GSM-7', 160, 1],
    ['[x]'.repeat(40), 'GSM-7', 200, 2],
    ['é'.repeat(70), 'GSM-7', 70, 1],
    ['ç'.repeat(70), 'UCS-2', 70, 1],
    ['ж'.repeat(71), 'UCS-2', 71, 2],
    ['ж'.repeat(134), 'UCS-2', 134, 2],
    ['ж'.repeat(135), 'UCS-2', 135, 3],
    ['Ready 🚗', 'UCS-2', 8, 1],
  ])('%j is %s, %i units, %i segment(s)', (text, encoding, units, segments) => {
    expect(countSegments(text)).toEqual({ encoding, units, segments });
  });
  it('never fits more than 160 septets or 70 code units in one segment', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400, unit: 'grapheme' }), (text) => {
      const c = countSegments(text);
      const perSegment = c.segments === 1 ? (c.encoding === 'GSM-7' ? 160 : 70) : (c.encoding === 'GSM-7' ? 153 : 67);
      return c.units <= c.segments * perSegment && (c.segments === 1 || c.units > (c.segments - 1) * perSegment);
    }));
  });
});

describe('signature header', () => {
  it('round-trips through readAcmeSignature', () => {
    const value = signAcmeWebhook('whsec_0123456789abcdef', Buffer.from('{"a":1}'), 1_793_786_102.9);
    expect(value).toMatch(/^t=1793786102,v1=[0-9a-f]{64}$/);
    expect(readAcmeSignature(value)).toEqual({ timestamp: 1_793_786_102, signatures: [value.slice(value.indexOf('v1=') + 3)] });
  });
  it('never throws on arbitrary header values', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (v) => { readAcmeSignature(v); return true; }));
  });
});
