/**
 * The ingest benchmark's fake WhatsApp platform, in a process of its own: it serves the photos the
 * host fetches (as the platform's media servers would, elsewhere), so serving them costs neither
 * the load generator's core nor the host's. Asked over IPC (`{ photos, kib }`), it stores that many
 * photos of `kib` KiB — a real PNG padded after its end — and answers the signed webhooks that
 * announce them, which the load generator then sends among its text messages.
 *
 * Usage (by ingest.bench.ts): node --import tsx test/bench/fake-platform-process.ts
 */
import { samplePng } from '@switchboard/core';
import { FakeWhatsAppServer, whatsappSandboxConfig } from '@switchboard/whatsapp';

/** A photo: a real PNG (header and pixels) padded after its end to `kib` KiB. */
function photo(kib: number): Buffer {
  const png = samplePng(64);
  return Buffer.concat([png, Buffer.alloc(kib * 1024 - png.length, 7)]);
}

const fake = new FakeWhatsAppServer({ config: { ...whatsappSandboxConfig } });
await fake.start();
process.on('message', (m) => {
  const { photos, kib } = m as { photos: number; kib: number };
  const body = photo(kib);
  const webhooks = Array.from({ length: photos }, (_, i) => {
    const w = fake.simulate({ kind: 'media', userId: `49160${String(i % 50_000).padStart(7, '0')}`, mediaType: 'image', file: { body, mimeType: 'image/png' } });
    return { body: w.body.toString('utf8'), headers: { ...w.headers, 'content-type': 'application/json' } };
  });
  process.send?.(webhooks);
});
console.log(JSON.stringify({ port: Number(new URL(fake.url).port) }));
process.on('SIGTERM', () => { void fake.stop().finally(() => process.exit(0)); });
