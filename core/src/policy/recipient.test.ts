import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidTimeZone, localMinuteOfDay, phoneNumberCountry, priceCategoryFor } from '../index.js';
import { telegramPolicy, viberPolicy, whatsappPolicy } from '../__fixtures__/channel-policies.js';

describe('phoneNumberCountry', () => {
  it('tells the countries sharing +1 apart by area code', () => {
    expect(phoneNumberCountry('14155550123')).toBe('US');
    expect(phoneNumberCountry('+1 (416) 555-0123')).toBe('CA');
    expect(phoneNumberCountry('12425550123')).toBe('BS');
    expect(phoneNumberCountry('4915112345678')).toBe('DE');
  });
  it('answers undefined for what cannot be a phone number', () => {
    for (const v of ['', 'urn:mbid:AQAAY', '01234567890A=', '+1', '123', 'abc']) expect(phoneNumberCountry(v)).toBeUndefined();
  });
  it('never throws and answers an ISO alpha-2 code or nothing', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\+?\d{1,18}$/)), (s) => {
      const c = phoneNumberCountry(s);
      if (c !== undefined) expect(c).toMatch(/^[A-Z]{2}$/);
    }), { numRuns: 500 });
  });
});

describe('local time in IANA zones', () => {
  it('follows daylight saving', () => {
    expect(localMinuteOfDay(Date.parse('2026-03-29T00:59:00Z'), 'Europe/Berlin')).toBe(1 * 60 + 59);
    expect(localMinuteOfDay(Date.parse('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe(3 * 60);
    expect(localMinuteOfDay(Date.parse('2026-11-01T05:59:00Z'), 'America/New_York')).toBe(1 * 60 + 59);
    expect(localMinuteOfDay(Date.parse('2026-11-01T06:00:00Z'), 'America/New_York')).toBe(1 * 60);
    expect(localMinuteOfDay(Date.parse('2026-03-10T12:00:00Z'), 'Asia/Kathmandu')).toBe(17 * 60 + 45);
  });
  it('validates zone names', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(() => localMinuteOfDay(0, 'nowhere')).toThrow(RangeError);
  });
});

describe('priceCategoryFor', () => {
  const at = Date.parse('2026-03-10T12:00:00Z');
  const HOUR = 3_600_000;
  it('a template is priced by its category', () => {
    expect(priceCategoryFor({ form: { kind: 'template', category: 'utility' }, purpose: 'transactional', policy: whatsappPolicy, at, lastInboundAt: at - HOUR }))
      .toEqual({ category: 'utility', inServiceSession: true });
  });
  it('on channels with a session: service inside it, business-initiated or marketing outside', () => {
    expect(priceCategoryFor({ form: { kind: 'free-form' }, purpose: 'marketing', policy: whatsappPolicy, at, lastInboundAt: at - HOUR }).category).toBe('service');
    expect(priceCategoryFor({ form: { kind: 'free-form' }, purpose: 'marketing', policy: viberPolicy, at, lastInboundAt: at - 30 * HOUR })).toEqual({ category: 'business-initiated', inServiceSession: false });
    expect(priceCategoryFor({ form: { kind: 'free-form' }, purpose: 'marketing', policy: whatsappPolicy, at, lastInboundAt: at - 30 * HOUR }).category).toBe('marketing');
    expect(priceCategoryFor({ form: { kind: 'tag', tag: 'HUMAN_AGENT' }, purpose: 'service', policy: whatsappPolicy, at, lastInboundAt: at - 30 * HOUR }).category).toBe('business-initiated');
  });
  it('regression: on a channel without sessions (Telegram) marketing is marketing, not service', () => {
    expect(priceCategoryFor({ form: { kind: 'free-form' }, purpose: 'marketing', policy: telegramPolicy, at, lastInboundAt: at - 40 * 24 * HOUR })).toEqual({ category: 'marketing', inServiceSession: true });
    expect(priceCategoryFor({ form: { kind: 'free-form' }, purpose: 'transactional', policy: telegramPolicy, at, lastInboundAt: at - HOUR }).category).toBe('service');
    expect(priceCategoryFor({ form: { kind: 'free-form' }, purpose: 'transactional', policy: telegramPolicy, at }).category).toBe('business-initiated');
  });
  it('a customer message after the send time opens no session for it', () => {
    expect(priceCategoryFor({ purpose: 'service', policy: whatsappPolicy, at, lastInboundAt: at + HOUR })).toEqual({ category: 'business-initiated', inServiceSession: false });
  });
});
