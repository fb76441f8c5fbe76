import fc from 'fast-check';
import { getCountries, getExampleNumber } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import { parsePhoneNumber, PhoneNumberError, phoneNumberProblem, toE164 } from '../index.js';

/** Every country's example mobile number, as libphonenumber's metadata gives it. */
const EXAMPLES = getCountries().flatMap((country) => {
  const n = getExampleNumber(country, examples);
  return n ? [{ country, e164: n.number as string, national: n.formatNational(), international: n.formatInternational() }] : [];
});

describe('parsePhoneNumber', () => {
  it('regression: a national number is read in its country, not glued to digits (030 1234567 became wa.me/0301234567)', () => {
    expect(toE164('030 1234567', { defaultCountry: 'DE' })).toBe('+49301234567');
    expect(parsePhoneNumber('030 1234567', { defaultCountry: 'DE' }).digits).toBe('49301234567');
  });
  it('regression: the (0) national prefix inside an international number is dropped (+49 (0)30… became 490301234567)', () => {
    expect(parsePhoneNumber('+49 (0)30 1234567')).toMatchObject({ e164: '+49301234567', digits: '49301234567', countryCallingCode: '49', country: 'DE', nationalNumber: '301234567', valid: true });
  });
  it('reads 00 and the default country, keeps an extension apart, and a wa_id when asked', () => {
    expect(toE164('0049 30 1234567', { defaultCountry: 'DE' })).toBe('+49301234567');
    expect(parsePhoneNumber('+49 30 1234567 ext. 12')).toMatchObject({ e164: '+49301234567', extension: '12' });
    expect(toE164('4915112345678', { assumeInternational: true })).toBe('+4915112345678');
    // a leading 0 is national even then
    expect(toE164('0151 12345678', { assumeInternational: true, defaultCountry: 'DE' })).toBe('+4915112345678');
  });
  it('refuses what cannot be a number, with a typed error that does not repeat the number', () => {
    const refused = (input: string, options = {}) => {
      try { parsePhoneNumber(input, options); } catch (e) { return e; }
      return undefined;
    };
    expect(refused('030 1234567')).toMatchObject({ code: 'VALIDATION_FAILED', problem: 'NEEDS_COUNTRY' });
    expect(refused('call me')).toMatchObject({ problem: 'NOT_A_NUMBER' });
    expect(refused('+0 123')).toMatchObject({ problem: 'INVALID_COUNTRY' });
    expect(refused('+49 30 123456789012345678')).toMatchObject({ problem: 'TOO_LONG' });
    expect(refused('+1 555 0100')).toMatchObject({ problem: 'IMPOSSIBLE' });
    expect(refused('030 1234567', { defaultCountry: 'XX' })).toMatchObject({ problem: 'INVALID_COUNTRY' });
    const named = refused('12', { field: 'channels[0].target', defaultCountry: 'DE' }) as PhoneNumberError;
    expect(named).toBeInstanceOf(PhoneNumberError);
    expect(named.details).toMatchObject({ field: 'channels[0].target', problems: [{ field: 'channels[0].target' }] });
    expect(named.message).not.toContain('12 ');
    expect(phoneNumberProblem('030 1234567')).toMatch(/national number/);
    expect(phoneNumberProblem('+49 30 1234567')).toBeUndefined();
  });

  it('never throws anything but PhoneNumberError (property)', () => {
    const phoneish = fc.string({ unit: fc.constantFrom('+', '0', '1', '4', '9', '3', '7', ' ', '-', '(', ')', '.', 'x', 'e', '/') , maxLength: 30 });
    fc.assert(fc.property(fc.oneof(fc.string(), phoneish), fc.option(fc.constantFrom('DE', 'US', 'GB', 'FR', 'IN', 'XX', 'de', '')), fc.boolean(), (input, country, intl) => {
      try {
        const p = parsePhoneNumber(input, { ...(country !== null ? { defaultCountry: country } : {}), assumeInternational: intl });
        expect(p.e164).toMatch(/^\+[1-9][0-9]{1,14}$/);
        expect(p.digits).toBe(p.e164.slice(1));
      } catch (error) {
        expect(error).toBeInstanceOf(PhoneNumberError);
      }
    }), { numRuns: 2000 });
  });

  it('E.164 is a fixed point: parsing what it returns gives the same number (property)', () => {
    fc.assert(fc.property(fc.constantFrom(...EXAMPLES), ({ e164 }) => {
      expect(toE164(e164)).toBe(e164);
      expect(toE164(parsePhoneNumber(e164).digits, { assumeInternational: true })).toBe(e164);
    }), { numRuns: 300 });
  });

  it('national and international writings of a number give the same E.164 in every country (property)', () => {
    fc.assert(fc.property(fc.constantFrom(...EXAMPLES), ({ country, e164, national, international }) => {
      expect(toE164(national, { defaultCountry: country })).toBe(e164);
      expect(toE164(international)).toBe(e164);
    }), { numRuns: 500 });
  });

  it('separators people type between digit groups do not change the number (property)', () => {
    const separated = fc.constantFrom(...EXAMPLES).chain((ex) => fc.array(fc.constantFrom('', ' ', '-', '.', ' '), { minLength: ex.e164.length, maxLength: ex.e164.length })
      .map((seps) => ({ ex, written: `+${[...ex.e164.slice(1)].map((d, i) => `${d}${seps[i]}`).join('').trim()}` })));
    fc.assert(fc.property(separated, ({ ex, written }) => {
      expect(toE164(written)).toBe(ex.e164);
    }), { numRuns: 500 });
  });
});
