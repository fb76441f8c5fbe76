import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sampleMedia, samplePdf, samplePng } from './sample-media.js';

describe('sample media', () => {
  it('makes a PNG whose pixels inflate to the declared size', () => {
    const png = samplePng(4, [1, 2, 3]);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    const idatAt = png.indexOf('IDAT');
    const length = png.readUInt32BE(idatAt - 4);
    const pixels = inflateSync(png.subarray(idatAt + 4, idatAt + 4 + length));
    expect(pixels.length).toBe(4 * (1 + 4 * 3));
    expect([...pixels.subarray(1, 4)]).toEqual([1, 2, 3]);
  });

  it('makes a PDF whose cross-reference table points at its objects', () => {
    const pdf = samplePdf('Boarding (pass)').toString('latin1');
    const xrefAt = Number(/startxref\n(\d+)/.exec(pdf)![1]);
    expect(pdf.slice(xrefAt, xrefAt + 4)).toBe('xref');
    const offsets = [...pdf.slice(xrefAt).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets).toHaveLength(5);
    offsets.forEach((o, i) => expect(pdf.slice(o, o + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`));
    expect(pdf).toContain('(Boarding \\(pass\\)) Tj');
  });

  it('declares each sample with its real type', () => {
    expect(sampleMedia('image').mimeType).toBe('image/png');
    expect(sampleMedia('video').body.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(sampleMedia('audio').body.subarray(0, 4).toString('latin1')).toBe('OggS');
    expect(sampleMedia('file').body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });
});
