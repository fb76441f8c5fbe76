/**
 * Small, structurally valid sample files for fake platforms: what a simulated customer sends when
 * a test gives no bytes of its own. Each is a real file of its type (a PNG that decodes, an MP4
 * with its `ftyp` box, an Ogg Opus page with a correct checksum, a PDF with a cross-reference
 * table), so a host that checks the type from the bytes recognises it.
 * @module
 */
import { deflateSync } from 'node:zlib';

/** A sample file. */
export interface SampleMedia {
  body: Buffer;
  mimeType: string;
  filename: string;
}

const CRC32_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC32_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([head, typed, crc]);
}

/**
 * A PNG image of one colour.
 * @param size - width and height in pixels
 * @param rgb - the colour
 * @returns the file's bytes
 */
export function samplePng(size = 8, rgb: readonly [number, number, number] = [192, 48, 48]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => rgb).flat())]);
  const pixels = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(pixels)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function box(type: string, payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(8 + payload.length);
  return Buffer.concat([size, Buffer.from(type, 'latin1'), payload]);
}

/**
 * An MP4 file: its `ftyp` box (brand `isom`) and an empty media data box.
 * @returns the file's bytes
 */
export function sampleMp4(): Buffer {
  const brands = Buffer.concat([Buffer.from('isom', 'latin1'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2mp41', 'latin1')]);
  return Buffer.concat([box('ftyp', brands), box('free', Buffer.alloc(8)), box('mdat', Buffer.alloc(16))]);
}

const OGG_CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n << 24;
  for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
  return c >>> 0;
});

function oggPage(packet: Buffer, sequence: number, flags: number): Buffer {
  const header = Buffer.alloc(27);
  header.write('OggS', 0, 'latin1');
  header.writeUInt8(0, 4); // version
  header.writeUInt8(flags, 5);
  header.writeBigUInt64LE(0n, 6); // granule position
  header.writeUInt32LE(0x5357_4254, 14); // stream serial
  header.writeUInt32LE(sequence, 18);
  header.writeUInt8(1, 26); // one segment
  const page = Buffer.concat([header, Buffer.from([packet.length]), packet]);
  let c = 0;
  for (const b of page) c = ((c << 8) ^ OGG_CRC_TABLE[((c >>> 24) ^ b) & 0xff]!) >>> 0;
  page.writeUInt32LE(c, 22);
  return page;
}

/**
 * An Ogg Opus file: its identification and comment headers (a voice note with no audio frames).
 * @returns the file's bytes
 */
export function sampleOggOpus(): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head.writeUInt8(1, 8); // version
  head.writeUInt8(1, 9); // mono
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(48_000, 12); // input sample rate
  const vendor = Buffer.from('switchboard', 'latin1');
  const tags = Buffer.alloc(8 + vendor.length + 4);
  tags.write('OpusTags', 0, 'latin1');
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  return Buffer.concat([oggPage(head, 0, 0x02), oggPage(tags, 1, 0x04)]);
}

/**
 * A one-page PDF showing `text`, with a correct cross-reference table.
 * @param text - the line shown (ASCII)
 * @returns the file's bytes
 */
export function samplePdf(text = 'Switchboard sample document'): Buffer {
  const safe = text.replace(/[^\x20-\x7e]/g, '?').replace(/[()\\]/g, '\\$&');
  const stream = `BT /F1 18 Tf 40 100 Td (${safe}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/**
 * The sample file a simulated customer sends for a media type, with its real MIME type and a file name.
 * @param mediaType - the simulated media type
 * @returns the file
 */
export function sampleMedia(mediaType: 'image' | 'video' | 'audio' | 'file'): SampleMedia {
  switch (mediaType) {
    case 'image': return { body: samplePng(), mimeType: 'image/png', filename: 'photo.png' };
    case 'video': return { body: sampleMp4(), mimeType: 'video/mp4', filename: 'video.mp4' };
    case 'audio': return { body: sampleOggOpus(), mimeType: 'audio/ogg', filename: 'voice.ogg' };
    case 'file': return { body: samplePdf(), mimeType: 'application/pdf', filename: 'document.pdf' };
  }
}
