import { parseBcbp } from '@switchboard/host';
import { dayOfYear } from '@switchboard/host/testing';
import { describe, expect, it } from 'vitest';
import { readPdf, scanPdf } from '../../../host/src/documents/__fixtures__/read-pdf.js';
import { optInText, PASSENGERS } from './flight.js';
import { runFlightNotifications } from './flight-notifications.js';

describe('click-to-chat opt-in text', () => {
  it('names the booking (the host appends the signed start token)', () => {
    expect(optInText(PASSENGERS[0]!)).toBe('Flight updates LM417 booking K7Q2ZP');
  });
});

describe('npm start (the scenario main.ts runs)', () => {
  it('sends the gate change, the boarding pass and the delay to opted-in passengers on WhatsApp, Messenger and Viber, and reports the others as skipped with the reason', async () => {
    const lines: string[] = [];
    const r = await runFlightNotifications({ log: (l) => lines.push(l) });

    // every passenger who tapped a link is opted in by a double opt-in: the booking checkbox, then the start message
    expect(Object.keys(r.optIns).sort()).toEqual(['Ana Costa', 'Ben Okafor', 'Chiara Bianchi', 'Dev Patel', 'Femi Adeyemi', 'Gus Moreau']);
    for (const [name, optIn] of Object.entries(r.optIns)) {
      expect({ name, ...optIn }).toMatchObject({ name, status: 'confirmed', steps: [{ action: 'opt-in-requested', source: 'checkbox' }, { action: 'opt-in' }] });
    }
    expect(r.optIns['Ben Okafor']!.steps[1]).toEqual({ action: 'opt-in', source: 'confirmation-reply' });

    expect(r.templates).toHaveLength(6);
    expect(r.templates.every((t) => t.status === 'approved')).toBe(true);

    // who got what, and who was skipped and why (reason codes per update)
    const outcome = (update: string): Record<string, string> => Object.fromEntries(r.deliveries.filter((d) => d.update === update)
      .map((d) => [d.passenger, d.status === 'queued' ? 'sent' : d.reasons!.map((x) => `${x.code}/${x.source}`).join(',')]));
    const skips = {
      'Dev Patel': 'OPTED_OUT/customer', 'Hugo Lenz': 'NO_CONSENT/channel', 'Eva Lindqvist': 'NO_CONSENT/business',
      'Gus Moreau': 'TEMPLATE_CATEGORY_NOT_ALLOWED/channel', 'Femi Adeyemi': 'OPTED_OUT/customer',
    };
    const sent = { 'Ana Costa': 'sent', 'Ben Okafor': 'sent', 'Chiara Bianchi': 'sent' };
    expect(outcome('gate change')).toEqual({ ...sent, ...skips });
    expect(outcome('delay')).toEqual({ ...sent, ...skips });
    expect(outcome('boarding pass')).toEqual(sent);

    // what the platforms received: WhatsApp a real template with the passenger's parameters and a document
    const ana = r.requests['Ana Costa']!;
    expect(ana.map((b) => b.type)).toEqual(['text', 'template', 'document', 'template']);
    expect(ana[1]).toMatchObject({
      messaging_product: 'whatsapp', to: '351912345001', type: 'template',
      template: { name: 'gate_change', language: { code: 'en' }, components: [{ type: 'body', parameters: ['Ana', 'LM 417', 'Lisbon', 'C4', '13:25', '12A'].map((text) => ({ type: 'text', text })) }] },
    });
    // the host's signed link to its stored copy, ending in the file name (what Messenger and Viber fetch)
    const link = (booking: string): RegExp => new RegExp(`^http://127\\.0\\.0\\.1:\\d+/media/[A-Za-z0-9_-]+/Boarding%20pass%20LM417%20${booking}\\.pdf\\?tenant=lumen-air&exp=\\d+&sig=[A-Za-z0-9_-]+$`);
    // WhatsApp: the host uploaded the PDF (POST /media) and sent it by the media id it got back
    expect(ana[2]).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '351912345001', type: 'document', document: { id: expect.any(String), filename: 'Boarding pass LM417 K7Q2ZP.pdf', caption: 'Boarding pass LM 417, seat 12A, gate C4' } });
    expect(ana[3]).toMatchObject({ template: { name: 'flight_delay' } });

    // Messenger and Viber have no templates: the approved text with the parameters filled in, in the window
    expect(r.received['Ben Okafor']!.slice(0, 2)).toEqual([
      expect.stringMatching(/^Reply YES to confirm that Lumen Air may send you flight updates\. Privacy policy: https:\/\/lumen-air\.example\/privacy/),
      expect.stringMatching(/you are subscribed to flight updates from Lumen Air/),
    ]);
    expect(r.received['Ben Okafor']!.slice(2)).toEqual([
      'Hello Ben, flight LM 417 to Lisbon now departs from gate C4. Boarding starts at 13:25. Your seat: 7F.',
      expect.stringMatching(new RegExp(`^\\[file ${link('P9D4LA').source.slice(1, -1)}\\]$`)),
      'Boarding pass LM 417, seat 7F, gate C4',
      'Hello Ben, flight LM 417 to Lisbon is delayed. New departure time: 15:20 (was 14:05). We are sorry for the wait.',
    ]);
    expect(r.requests['Ben Okafor']![2]).toMatchObject({ recipient: { id: '6100000000000004' }, messaging_type: 'UPDATE' });
    expect(r.requests['Chiara Bianchi']!.map((b) => b.type)).toEqual(['text', 'text', 'file', 'text', 'text']);
    expect(r.requests['Chiara Bianchi']![2]).toMatchObject({ receiver: 'VbChiaraBianchi0000007==', type: 'file', file_name: 'Boarding pass LM417 V8K3JS.pdf', media: expect.stringMatching(link('V8K3JS')), size: r.boardingPasses['Chiara Bianchi']!.body.length });

    // the boarding passes: rendered by the host's template and stored by the host; what each platform
    // holds is exactly the host's stored file: a one-page PDF whose Aztec code a gate reader scans to
    // the passenger's BCBP string
    expect(Object.keys(r.boardingPasses).sort()).toEqual(['Ana Costa', 'Ben Okafor', 'Chiara Bianchi']);
    for (const name of Object.keys(r.boardingPasses)) {
      const p = PASSENGERS.find((x) => x.name === name)!;
      const pass = r.boardingPasses[name]!;
      expect(pass.filename).toBe(`Boarding pass LM417 ${p.booking}.pdf`);
      expect(pass.body.equals(r.storedPasses[name]!)).toBe(true);
      const pdf = await readPdf(pass.body);
      expect(pdf.pages).toBe(1);
      expect(pdf.text[0]).toContain(`${p.givenName} ${p.surname}`);
      expect(pdf.text[0]).toContain(`GATE C4 SEAT ${p.seat} BOOKING REFERENCE ${p.booking} SEQUENCE ${String(p.sequence).padStart(3, '0')}`);
      const [code, ...others] = await scanPdf(pass.body);
      expect(others).toEqual([]);
      expect(code!.format).toBe('Aztec');
      expect(parseBcbp(code!.text)).toEqual({
        passengerName: `${p.surname}/${p.givenName}`.toUpperCase(), electronicTicket: true,
        legs: [{ pnr: p.booking, from: 'BER', to: 'LIS', carrier: 'LM', flightNumber: '417', julianDate: dayOfYear(r.flightDate), compartment: 'Y', seat: p.seat, sequence: String(p.sequence), passengerStatus: '1' }],
      });
    }
    // dated for the passenger: Ana booked in Portuguese
    expect((await readPdf(r.boardingPasses['Ana Costa']!.body)).text[0]).toContain(new Intl.DateTimeFormat('pt-PT', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${r.flightDate}T00:00:00Z`)));

    // skipped passengers got nothing but the host's opt-in confirmation (if they opted in), and those
    // who sent STOP the host's confirmation that they are unsubscribed
    for (const name of ['Dev Patel', 'Femi Adeyemi']) {
      expect(r.received[name]).toEqual([expect.stringMatching(/you are subscribed to flight updates/), expect.stringMatching(/^You are unsubscribed/)]);
    }
    expect(r.received['Gus Moreau']).toEqual([expect.stringMatching(/^Reply YES to confirm/), expect.stringMatching(/you are subscribed to flight updates/)]);
    for (const name of ['Hugo Lenz', 'Eva Lindqvist']) expect(r.received[name]).toEqual([]);

    const out = lines.join('\n');
    expect(out).toContain('Gus Moreau      messenger skipped: TEMPLATE_CATEGORY_NOT_ALLOWED (channel) utility templates may not be sent outside the window');
    expect(out).toContain('Dev Patel       whatsapp  skipped: OPTED_OUT (customer) the customer opted out of transactional on whatsapp');
  });
});
