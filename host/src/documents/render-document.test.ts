import { createHash } from 'node:crypto';
import { ConfigError } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { statusOf } from '../errors.js';
import { readPdf, scanPdf } from './__fixtures__/read-pdf.js';
import { parseBcbp } from './bcbp.js';
import { defineDocumentTemplate, documentContactOf, DocumentTemplates, documentText } from './document-template.js';
import { builtInDocumentTemplates } from './index.js';
import { documentMessage, renderDocument } from './render-document.js';
import { BoardingPassSchema, boardingPassBcbp } from './templates/boarding-pass.js';

const templates = new DocumentTemplates(builtInDocumentTemplates);
const AT = new Date('2026-12-14T10:05:00Z');

const PASS = {
  airline: { name: 'Lumen Air', designator: 'LM' }, flightNumber: '417', passenger: { surname: 'Costa', givenName: 'Ana' },
  from: { code: 'BER', city: 'Berlin' }, to: { code: 'LIS', city: 'Lisbon' }, date: '2026-12-14', departureTime: '14:05', boardingTime: '13:25',
  gate: 'C4', seat: '12A', sequence: 25, pnr: 'K7Q2ZP',
};
const ANA = { name: 'Ana Costa', locale: 'en-GB', timeZone: 'Europe/Lisbon' };

const RECEIPT = {
  merchant: { name: 'Imbiss Ecke', address: 'Kastanienallee 1, Berlin' }, orderNumber: 'A-102',
  items: [{ description: 'Falafel wrap', quantity: 1, unitPrice: 600 }, { description: 'Cola', quantity: 2, unitPrice: 250 }],
  currency: 'EUR', total: 1100, pickupCode: 'A-102', note: 'Paid at pick-up',
};
const KEMAL = { name: 'Kemal Aydın', locale: 'de-DE', timeZone: 'Europe/Berlin' };

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; details: { field: string; problems: { field: string; message: string }[] } }> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error('expected a failure');
}

describe('the boarding-pass template', () => {
  it('renders one page with the passenger, the flight and the times, dated and titled from its input', async () => {
    const pass = await renderDocument(templates, 'boarding-pass', { data: PASS, contact: ANA, at: AT });
    expect(pass.contentType).toBe('application/pdf');
    expect(pass.filename).toBe('Boarding pass LM417 K7Q2ZP.pdf');
    expect(pass.body.subarray(0, 5).toString()).toBe('%PDF-');
    const pdf = await readPdf(pass.body);
    expect(pdf.pages).toBe(1);
    const text = pdf.text[0]!;
    for (const shown of ['Boarding pass', 'Lumen Air', 'Ana Costa', 'BER – LIS', 'Berlin – Lisbon', 'LM 417', '14:05', '13:25', 'C4', '12A', 'K7Q2ZP', '025']) {
      expect(text).toContain(shown);
    }
    expect(text).toMatch(/Mon,? 14 Dec 2026/); // the date in the passenger's locale
    expect(text).toMatch(/Issued 14 Dec 2026,? 10:05/); // issued at the message's time, on Lisbon's clock (UTC+0 in December)
    expect(pdf.info).toMatchObject({ Title: 'Boarding pass LM 417 BER–LIS', CreationDate: 'D:20261214100500Z', ModDate: 'D:20261214100500Z', Language: 'en-GB' });
  });

  it('carries a scannable Aztec code holding the BCBP string of the pass: a reader gets back the passenger, flight, date, seat and sequence', async () => {
    const pass = await renderDocument(templates, 'boarding-pass', { data: PASS, contact: ANA, at: AT });
    const scanned = await scanPdf(pass.body);
    expect(scanned).toEqual([{ page: 1, format: 'Aztec', text: 'M1COSTA/ANA           EK7Q2ZP BERLISLM 0417 348Y012A0025 100' }]);
    expect(scanned[0]!.text).toBe(boardingPassBcbp(BoardingPassSchema.parse(PASS)));
    expect(parseBcbp(scanned[0]!.text).legs[0]).toMatchObject({ pnr: 'K7Q2ZP', from: 'BER', to: 'LIS', carrier: 'LM', flightNumber: '417', julianDate: 348, seat: '12A', sequence: '25' });
  });

  it('carries PDF417 when asked (paper boarding passes), with the name in Latin capitals however the passenger writes it', async () => {
    const pass = await renderDocument(templates, 'boarding-pass', {
      data: { ...PASS, barcode: 'pdf417', passenger: { surname: 'Aydın', givenName: 'Kemal' }, seat: '7F', sequence: 3, cabin: 'J' }, contact: KEMAL, at: AT,
    });
    expect((await readPdf(pass.body)).text[0]).toContain('Kemal Aydın');
    expect(await scanPdf(pass.body)).toEqual([{ page: 1, format: 'PDF417', text: 'M1AYDIN/KEMAL         EK7Q2ZP BERLISLM 0417 348J007F0003 100' }]);
  });
});

describe('the order-receipt template', () => {
  it('lists the items with quantities, unit prices, amounts and the total in the reader\'s locale, and the pick-up code as a QR code', async () => {
    const receipt = await renderDocument(templates, 'order-receipt', { data: RECEIPT, contact: KEMAL, at: AT });
    expect(receipt.filename).toBe('Receipt A-102.pdf');
    const pdf = await readPdf(receipt.body);
    expect(pdf.pages).toBe(1);
    const text = pdf.text[0]!.replace(/\u00a0/g, ' ');
    expect(text).toContain('Imbiss Ecke · Kastanienallee 1, Berlin');
    expect(text).toContain('Kemal Aydın');
    expect(text).toMatch(/Falafel wrap 1 6,00 € 6,00 € Cola 2 2,50 € 5,00 € Total 11,00 €/);
    expect(text).toMatch(/14\.12\.2026,? 11:05/); // the message's time on Berlin's clock
    expect(await scanPdf(receipt.body)).toEqual([{ page: 1, format: 'QRCode', text: 'A-102' }]);
  });

  it('formats another currency with its own decimals for another locale', async () => {
    const receipt = await renderDocument(templates, 'order-receipt', {
      data: { ...RECEIPT, currency: 'JPY', items: [{ description: 'Onigiri', quantity: 3, unitPrice: 180 }], total: 540, note: undefined },
      contact: { locale: 'en-US', timeZone: 'Asia/Tokyo' }, at: AT,
    });
    const text = (await readPdf(receipt.body)).text[0]!;
    expect(text).toContain('Onigiri 3 ¥180 ¥540 Total ¥540');
    expect(text).toMatch(/Dec 14, 2026,? 7:05\s?PM/u);
    expect(text).not.toContain('Customer'); // no name given
  });

  it('runs a long order onto further pages, repeating the column headings and numbering the pages', async () => {
    const items = Array.from({ length: 60 }, (_, i) => ({ description: `Item number ${i + 1}`, quantity: 1 + (i % 3), unitPrice: 100 + i }));
    const total = items.reduce((n, i) => n + i.quantity * i.unitPrice, 0);
    const receipt = await renderDocument(templates, 'order-receipt', { data: { ...RECEIPT, items, total }, contact: { locale: 'en' }, at: AT });
    const pdf = await readPdf(receipt.body);
    expect(pdf.pages).toBeGreaterThanOrEqual(3);
    pdf.text.forEach((page, i) => {
      expect(page).toContain(`${i + 1}/${pdf.pages}`);
      if (i < pdf.pages - 1) expect(page).toContain('Item Qty Unit price Amount');
    });
    const all = pdf.text.join(' ');
    for (let i = 1; i <= 60; i++) expect(all.match(new RegExp(`Item number ${i} `, 'g'))).toHaveLength(1);
    expect(all).toMatch(new RegExp(`Item number 60 3 €1\\.59 €4\\.77 Total €${(total / 100).toFixed(2).replace('.', '\\.')} `));
    expect(pdf.text.at(-1)).toContain('Pick-up code A-102');
  });
});

describe('the same input', () => {
  it('renders the same bytes (no wall clock, no random ids); another time or locale renders others', async () => {
    const a = await renderDocument(templates, 'boarding-pass', { data: PASS, contact: ANA, at: AT });
    const b = await renderDocument(templates, 'boarding-pass', { data: structuredClone(PASS), contact: { ...ANA }, at: new Date(AT.getTime()) });
    expect(a.body.equals(b.body)).toBe(true);
    const later = await renderDocument(templates, 'boarding-pass', { data: PASS, contact: ANA, at: new Date(AT.getTime() + 60_000) });
    expect(later.body.equals(a.body)).toBe(false);
    const german = await renderDocument(templates, 'boarding-pass', { data: PASS, contact: { ...ANA, locale: 'de-DE' }, at: AT });
    expect(german.body.equals(a.body)).toBe(false);
  });
});

describe('refusals', () => {
  it('an unknown template is NOT_FOUND (404), naming it', async () => {
    const error = await failure(renderDocument(templates, 'invoice', { data: {}, at: AT }));
    expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'document template invoice not found' });
    expect(statusOf(error.code)).toBe(404);
  });

  it('invalid data is VALIDATION_FAILED (400), every bad field named with its path — unknown keys, formats, a name with no Latin form, the contact', async () => {
    const error = await failure(renderDocument(templates, 'boarding-pass', {
      data: { ...PASS, seat: '12', sequence: 0, passenger: { surname: 'Иванова', givenName: 'Anna' }, to: { code: 'BER' }, upgrade: true },
      contact: { locale: 'no such locale', timeZone: 'Mars/Olympus' }, at: AT,
    }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(statusOf(error.code)).toBe(400);
    const fields = Object.fromEntries(error.details.problems.map((p) => [p.field, p.message]));
    expect(Object.keys(fields).sort()).toEqual(['contact.locale', 'contact.timeZone', 'data.passenger.surname', 'data.seat', 'data.sequence', 'data.to.code', 'data.upgrade']);
    expect(fields['data.upgrade']).toBe('is not a known field');
    expect(fields['data.seat']).toMatch(/row 1–999 and a capital letter/);
    expect(fields['data.passenger.surname']).toMatch(/"И", which a boarding pass barcode cannot carry/);
    expect(fields['data.to.code']).toBe('must differ from the departure airport');

    // a wrong type stops the cross-field checks (they would read it), the type error is named
    const types = await failure(renderDocument(templates, 'boarding-pass', { data: { ...PASS, passenger: 'Ana Costa' }, at: AT }));
    expect(types.details.problems).toEqual([{ field: 'data.passenger', message: expect.any(String) }]);
  });

  it('sizes are bounded: too many items, too long a text, a total that is not the items\' sum', async () => {
    const items = Array.from({ length: 201 }, () => ({ description: 'Fries', quantity: 1, unitPrice: 300 }));
    const tooMany = await failure(renderDocument(templates, 'order-receipt', { data: { ...RECEIPT, items, total: undefined }, at: AT }));
    expect(tooMany.details.problems.map((p) => p.field)).toEqual(['data.items']);
    const long = await failure(renderDocument(templates, 'order-receipt', { data: { ...RECEIPT, items: [{ description: 'x'.repeat(81), quantity: 1000, unitPrice: -1 }] }, at: AT }));
    expect(long.details.problems.map((p) => p.field)).toEqual(['data.items[0].description', 'data.items[0].quantity', 'data.items[0].unitPrice']);
    const sum = await failure(renderDocument(templates, 'order-receipt', { data: { ...RECEIPT, total: 1000 }, at: AT }));
    expect(sum.details.problems).toEqual([{ field: 'data.total', message: 'is 1000 but the items add up to 1100' }]);
    const lineBreak = await failure(renderDocument(templates, 'order-receipt', { data: { ...RECEIPT, orderNumber: 'A-1\nA-2' }, at: AT }));
    expect(lineBreak.details.problems.map((p) => p.field)).toEqual(['data.orderNumber']);
  });

  it('a character the document font cannot show is refused rather than printed as an empty box', async () => {
    const error = await failure(renderDocument(templates, 'order-receipt', {
      data: { ...RECEIPT, items: [{ description: 'Sushi 寿司', quantity: 1, unitPrice: 1100 }] }, contact: { name: '山田 太郎' }, at: AT,
    }));
    expect(error.details.problems).toEqual([
      { field: 'contact.name', message: 'has characters the document font cannot show: 山 田 太 郎' },
      { field: 'data.items[0].description', message: 'has characters the document font cannot show: 寿 司' },
    ]);
    // Greek and Cyrillic are in the font: a receipt may print them
    await expect(renderDocument(templates, 'order-receipt', { data: { ...RECEIPT, items: [{ description: 'Пельмени / Σουβλάκι', quantity: 1, unitPrice: 1100 }] }, at: AT })).resolves.toBeDefined();
  });

  it('an invalid time is refused, naming `at`', async () => {
    const error = await failure(renderDocument(templates, 'order-receipt', { data: RECEIPT, at: new Date(Number.NaN) }));
    expect(error.details.problems).toEqual([{ field: 'at', message: 'must be a valid date' }]);
  });
});

describe('a template of the business\'s own', () => {
  const invoice = defineDocumentTemplate({
    name: 'workshop-invoice',
    description: 'A car workshop\'s invoice',
    schema: z.strictObject({ number: documentText(20), plate: documentText(12), lines: z.array(z.strictObject({ description: documentText(80), quantity: z.number().int().min(1).max(99), unitPrice: z.number().int().min(0).max(10_000_000) })).min(1).max(50) }),
    title: (d) => `Invoice ${d.number}`,
    filename: (d) => `../../Invoice ${d.number}: ${d.plate}.PDF`,
    render({ data, layout }) {
      layout.title(`Invoice ${data.number}`, 'Werkstatt Nord');
      layout.keyValues([['Vehicle', data.plate]]);
      layout.lineItems(data.lines, 'EUR', { item: 'Work', quantity: 'Qty', unitPrice: 'Price', amount: 'Amount', total: 'Total due' });
    },
  });

  it('is rendered with the same layout helpers, and its file name is made safe', async () => {
    const own = new DocumentTemplates([...builtInDocumentTemplates, invoice]);
    const rendered = await renderDocument(own, 'workshop-invoice', { data: { number: 'R-2026-17', plate: 'B-SW 417', lines: [{ description: 'Brake pads', quantity: 2, unitPrice: 4_950 }, { description: 'Labour (h)', quantity: 1, unitPrice: 8_500 }] }, at: AT });
    expect(rendered.filename).toBe('Invoice R-2026-17 B-SW 417.pdf');
    expect((await readPdf(rendered.body)).text[0]).toContain('Brake pads 2 €49.50 €99.00 Labour (h) 1 €85.00 €85.00 Total due €184.00');
  });

  it('a template\'s own text in a character the font lacks fails the rendering, naming the character', async () => {
    const arrow = defineDocumentTemplate({ ...invoice, name: 'arrow', render: ({ layout }) => { layout.title('BER → LIS'); } });
    await expect(renderDocument(new DocumentTemplates([arrow]), 'arrow', { data: { number: '1', plate: 'X', lines: [{ description: 'a', quantity: 1, unitPrice: 1 }] }, at: AT }))
      .rejects.toThrow(/no glyph for U\+2192/);
  });

  it('names must be well-formed and unique in a set', () => {
    expect(() => new DocumentTemplates([invoice, invoice])).toThrow(ConfigError);
    expect(() => new DocumentTemplates([{ ...invoice, name: 'Workshop Invoice' }])).toThrow(/documents\.templates\[0\]\.name/);
    expect(new DocumentTemplates(builtInDocumentTemplates).names()).toEqual(['boarding-pass', 'order-receipt']);
  });
});

describe('documentMessage', () => {
  it('gives the file to store (bytes, size, hash, what the media store is told) and the document content naming the stored id', async () => {
    const receipt = await renderDocument(templates, 'order-receipt', { data: RECEIPT, contact: KEMAL, at: AT });
    const message = documentMessage(receipt, { caption: 'Your receipt' });
    expect(message.file).toEqual({ body: receipt.body, contentType: 'application/pdf', filename: 'Receipt A-102.pdf', size: receipt.body.length, sha256: createHash('sha256').update(receipt.body).digest('hex') });
    expect(message.put).toEqual({ origin: 'generated', kind: 'document', filename: 'Receipt A-102.pdf', declaredType: 'application/pdf', declaredSize: receipt.body.length });
    expect(message.content('med_123')).toEqual({ type: 'document', media: { storedId: 'med_123', filename: 'Receipt A-102.pdf', mimeType: 'application/pdf', size: receipt.body.length, caption: 'Your receipt' } });
    expect(message.contentAt('https://files.example/r.pdf').media).toMatchObject({ url: 'https://files.example/r.pdf', filename: 'Receipt A-102.pdf' });
    const blob = message.blob();
    expect(blob.type).toBe('application/pdf');
    expect(Buffer.from(await blob.arrayBuffer()).equals(receipt.body)).toBe(true);
  });
});

describe('documentContactOf', () => {
  it('reads the name, locale and time zone from a contact\'s profile, leaving out what is unusable', () => {
    expect(documentContactOf({ profile: { name: ' Ana Costa ', locale: 'pt-PT', timeZone: 'Europe/Lisbon', phone: '+351…' } })).toEqual({ name: 'Ana Costa', locale: 'pt-PT', timeZone: 'Europe/Lisbon' });
    expect(documentContactOf({ profile: { locale: 'klingon please', timeZone: 'Nowhere/Else' } })).toEqual({});
  });
});
