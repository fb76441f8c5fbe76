/**
 * Locale-aware formatting for generated documents: amounts of money in minor units (cents) shown
 * with the currency's own number of decimals, and instants on the reader's wall clock. Everything
 * goes through `Intl`, so a German reader sees `9,50 €` and an American `€9.50`.
 * @module
 */

const currencies: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/**
 * Whether `Intl` knows a currency code.
 * @param code - an ISO 4217 code, e.g. `EUR`
 * @returns true when it can be formatted
 */
export function isKnownCurrency(code: string): boolean {
  return currencies.has(code);
}

/**
 * Whether `Intl` can format for a locale (a well-formed BCP 47 tag it supports).
 * @param locale - e.g. `de-DE`
 * @returns true when number and date formats exist for it (possibly through a fallback language)
 */
export function isUsableLocale(locale: string): boolean {
  try {
    const [canonical] = Intl.getCanonicalLocales(locale);
    return canonical !== undefined && Intl.NumberFormat.supportedLocalesOf([canonical]).length === 1;
  } catch {
    return false;
  }
}

/**
 * How many decimals a currency's minor unit has (EUR 2, JPY 0, KWD 3).
 * @param currency - an ISO 4217 code `Intl` knows
 * @returns the number of fraction digits
 * @throws RangeError for a currency `Intl` does not know
 */
export function currencyDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * An amount in minor units as an exact decimal string (`950` EUR → `"9.50"`), so no binary
 * floating point ever sits between the integer amount and what is printed.
 * @param minor - a safe integer
 * @param digits - the currency's decimals
 */
function decimal(minor: number, digits: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(minor)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${abs}` : `${sign}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}

/**
 * Formats an amount of money given in minor units, for a reader's locale.
 * @param minor - the amount in the currency's minor unit (cents for EUR), a safe integer
 * @param currency - an ISO 4217 code `Intl` knows
 * @param locale - the reader's locale
 * @returns e.g. `€9.50` (`en`), `9,50 €` (`de-DE`), `￥1,200` (`ja-JP`, JPY)
 * @throws RangeError when the amount is not a safe integer or the currency is unknown
 * @example formatMoney(950, 'EUR', 'de-DE') // '9,50 €'
 */
export function formatMoney(minor: number, currency: string, locale: string): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`an amount in minor units must be a safe integer: ${minor}`);
  const digits = currencyDigits(currency);
  // Intl formats a decimal string exactly (ECMA-402 "Intl.NumberFormat v3"): no rounding through a double
  return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits })
    .format(decimal(minor, digits) as unknown as number);
}

/**
 * Formats an instant on a reader's wall clock.
 * @param at - the instant
 * @param locale - the reader's locale
 * @param timeZone - the reader's IANA time zone
 * @returns e.g. `14 Dec 2026, 11:00` (`en-GB`, Europe/Berlin)
 */
export function formatDateTime(at: Date, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(at);
}

/**
 * Formats a calendar date (no time of day, no zone: a flight's local date is the same everywhere).
 * @param date - `YYYY-MM-DD`
 * @param locale - the reader's locale
 * @returns e.g. `Mon, 14 Dec 2026` (`en-GB`)
 */
export function formatCalendarDate(date: string, locale: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y!, m! - 1, d!)));
}
