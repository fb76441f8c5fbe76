import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyDigits, formatCalendarDate, formatDateTime, formatMoney, isKnownCurrency, isUsableLocale } from './format.js';

describe('amounts of money', () => {
  it('are shown with the currency\'s own decimals, in the reader\'s locale', () => {
    // exact spacing and symbols follow the ICU data of the Node version: the tests pin what every version agrees on
    expect(formatMoney(950, 'EUR', 'en')).toBe('€9.50');
    expect(formatMoney(950, 'EUR', 'de-DE')).toMatch(/^9,50\s€$/u);
    expect(formatMoney(1200, 'JPY', 'en-US')).toBe('¥1,200');
    expect(formatMoney(1234, 'KWD', 'en')).toMatch(/^KWD\s1\.234$/u);
    expect(formatMoney(-5, 'USD', 'en-US')).toBe('-$0.05');
    expect([currencyDigits('EUR'), currencyDigits('JPY'), currencyDigits('KWD')]).toEqual([2, 0, 3]);
    expect(() => formatMoney(0.5, 'EUR', 'en')).toThrow(RangeError);
    expect(() => formatMoney(Number.MAX_SAFE_INTEGER + 1, 'EUR', 'en')).toThrow(RangeError);
  });

  it('property: the digits printed are exactly the amount\'s, up to the largest safe integer (no rounding through a double)', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), fc.constantFrom('EUR', 'USD', 'JPY', 'KWD', 'CHF'), fc.constantFrom('en', 'de-DE', 'fr-CH', 'pt-PT'), (minor, currency, locale) => {
      const text = formatMoney(minor, currency, locale);
      const digits = currencyDigits(currency);
      expect(text.replace(/\D/g, '')).toBe(String(Math.abs(minor)).padStart(digits + 1, '0'));
      expect(/[-\u2212]/.test(text)).toBe(minor < 0);
    }), { numRuns: 500 });
  });

  it('knows the currencies Intl knows', () => {
    expect(isKnownCurrency('EUR')).toBe(true);
    expect(isKnownCurrency('XXY')).toBe(false);
  });
});

describe('dates and locales', () => {
  it('shows an instant on the reader\'s wall clock and a calendar date without shifting it', () => {
    const at = new Date('2026-12-14T23:30:00Z');
    expect(formatDateTime(at, 'en-GB', 'Europe/Berlin')).toMatch(/^15 Dec 2026,? 00:30$/);
    expect(formatDateTime(at, 'en-GB', 'America/New_York')).toMatch(/^14 Dec 2026,? 18:30$/);
    // a calendar date is the same day wherever the process runs (formatted in UTC, not the machine's zone)
    expect(formatCalendarDate('2026-12-14', 'en-GB')).toMatch(/^Mon,? 14 Dec 2026$/);
    expect(formatCalendarDate('2026-12-14', 'de-DE')).toMatch(/^Mo\., 14\. Dez\. 2026$/);
  });

  it('accepts a locale Intl can format for and refuses a malformed one', () => {
    expect(isUsableLocale('pt-PT')).toBe(true);
    expect(isUsableLocale('de')).toBe(true);
    expect(isUsableLocale('not a locale')).toBe(false);
    expect(isUsableLocale('')).toBe(false);
  });
});
