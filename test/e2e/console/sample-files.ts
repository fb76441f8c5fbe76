/**
 * Files for the console's browser test, generated so the test needs no binary fixture: what a
 * customer of the car workshop would send — a red car door with a dent, drawn pixel by pixel and
 * encoded as a real PNG (zlib only), so the screenshot in the console's README shows something
 * recognisable — and a short voice note as a WAV every browser decodes.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * Draws the picture.
 * @param width - in pixels (default 360)
 * @param height - in pixels (default 240)
 * @returns PNG bytes (8-bit RGB)
 */
export function damagePhoto(width = 360, height = 240): Buffer {
  const row = width * 3 + 1;
  const raw = Buffer.alloc(row * height);
  const dent = { x: width * 0.58, y: height * 0.48, rx: width * 0.11, ry: height * 0.13 };
  for (let y = 0; y < height; y++) {
    raw[y * row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      let r: number; let g: number; let b: number;
      const ground = y > height * 0.8;
      const door = x > width * 0.12 && x < width * 0.88 && y > height * 0.18 && y < height * 0.8;
      const handle = x > width * 0.7 && x < width * 0.8 && y > height * 0.3 && y < height * 0.34;
      const window = x > width * 0.18 && x < width * 0.82 && y > height * 0.2 && y < height * 0.28 + (x / width) * 0.02 * height;
      if (ground) { r = 90; g = 92; b = 96; }
      else if (!door) { const t = y / height; r = Math.round(170 + 60 * t); g = Math.round(200 + 40 * t); b = 245; }
      else if (window) { r = 60; g = 80; b = 110; }
      else if (handle) { r = 40; g = 40; b = 45; }
      else {
        // the paint: a soft highlight across the door, darker inside the dent with a bright rim
        const shade = 1 - Math.abs(y / height - 0.45) * 0.6;
        r = 200 * shade; g = 30 * shade; b = 40 * shade;
        const d = ((x - dent.x) / dent.rx) ** 2 + ((y - dent.y) / dent.ry) ** 2;
        if (d < 1) { const k = 0.55 + 0.45 * d; r *= k; g *= k; b *= k; }
        else if (d < 1.25) { r = Math.min(255, r + 60); g += 40; b += 40; }
        r = Math.round(r); g = Math.round(g); b = Math.round(b);
      }
      const at = y * row + 1 + x * 3;
      raw[at] = r; raw[at + 1] = g; raw[at + 2] = b;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A short tone as a WAV file (PCM, 16-bit mono): audio any browser decodes.
 * @param seconds - length (default 0.5)
 * @param rate - samples per second (default 8000)
 * @returns WAV bytes
 */
export function voiceNote(seconds = 0.5, rate = 8000): Buffer {
  const samples = Math.round(seconds * rate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 8000), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
