/**
 * Phone numbers, parsed and normalised to E.164 with libphonenumber-js (Google's libphonenumber
 * metadata: country calling codes, national prefixes, possible lengths per country) instead of
 * regular expressions: `030 1234567` in Germany is `+49301234567`, and so is `+49 (0)30 1234567`
 * (the `(0)` is the national prefix, not part of the number).
 * @module
 */
import { isSupportedCountry, ParseError, parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js/max';
import { SwitchboardError } from '../errors.js';

/** Why a text is not a usable phone number. */
export type PhoneNumberProblem =
  /** Not a phone number at all (letters, stray characters, empty). */
  | 'NOT_A_NUMBER'
  /** A national number (`030 1234567`) and no default country to read it in. */
  | 'NEEDS_COUNTRY'
  /** An unknown country calling code, or a default country the metadata does not know. */
  | 'INVALID_COUNTRY'
  /** Too few digits for the country. */
  | 'TOO_SHORT'
  /** Too many digits for the country (or for any phone number). */
  | 'TOO_LONG'
  /** A length no number of that country has. */
  | 'IMPOSSIBLE';

const MESSAGES: Record<PhoneNumberProblem, string> = {
  NOT_A_NUMBER: 'is not a phone number',
  NEEDS_COUNTRY: 'is a national number: write it in international format (+49 30 1234567) or give a default country',
  INVALID_COUNTRY: 'has no known country calling code',
  TOO_SHORT: 'is too short for a phone number of its country',
  TOO_LONG: 'is too long for a phone number of its country',
  IMPOSSIBLE: 'has a length no phone number of its country has',
};

/**
 * A text that cannot be a phone number. The code is `VALIDATION_FAILED` (a host answers 400),
 * `details.problem` says why; the number itself is left out of the message and the details, since
 * it is personal data and errors are logged.
 */
export class PhoneNumberError extends SwitchboardError {
  /** Why the text was refused. */
  readonly problem: PhoneNumberProblem;
  /** The field the number came from, when the caller named it. */
  readonly field: string | undefined;

  /**
   * @param problem - why
   * @param options - the field the number came from, and libphonenumber's error as cause
   */
  constructor(problem: PhoneNumberProblem, options: { field?: string; cause?: unknown } = {}) {
    const { field, cause } = options;
    super('VALIDATION_FAILED', `${field ? `${field}: ` : ''}${MESSAGES[problem]}`, false, {
      ...(cause !== undefined ? { cause } : {}),
      details: { problem, ...(field ? { field, problems: [{ field, message: MESSAGES[problem] }] } : {}) },
    });
    this.problem = problem;
    this.field = field;
  }
}

/** A parsed, normalised phone number. */
export interface PhoneNumber {
  /** E.164: `+` and up to 15 digits, e.g. `+49301234567`. */
  e164: string;
  /** The E.164 number without its `+` (WhatsApp's `wa_id`, the path of a `wa.me` link). */
  digits: string;
  /** The country calling code, e.g. `49`. */
  countryCallingCode: string;
  /** The country (ISO 3166-1 alpha-2) when the number tells it (`+1` may be the US or Canada…). */
  country?: string;
  /** The national significant number, e.g. `301234567`. */
  nationalNumber: string;
  /** Whether the number matches its country's numbering plan (not only its lengths). */
  valid: boolean;
  /** An extension (`ext. 12`), which E.164 does not carry. */
  extension?: string;
}

/** Options of {@link parsePhoneNumber}. */
export interface PhoneParseOptions {
  /**
   * The country (ISO 3166-1 alpha-2, e.g. the tenant's `DE`) a national number is read in; without
   * it only international numbers (`+49…`, `0049…` needs it too) are accepted.
   */
  defaultCountry?: string;
  /**
   * Read digits alone that do not start with 0 as an international number without its `+` — the
   * form of a WhatsApp `wa_id` (`4915112345678`). Default false.
   */
  assumeInternational?: boolean;
  /** The field the number came from, named in the error. */
  field?: string;
}

const PROBLEMS_FROM_LIBRARY: Record<string, PhoneNumberProblem> = {
  NOT_A_NUMBER: 'NOT_A_NUMBER',
  INVALID_COUNTRY: 'INVALID_COUNTRY',
  TOO_SHORT: 'TOO_SHORT',
  TOO_LONG: 'TOO_LONG',
  INVALID_LENGTH: 'IMPOSSIBLE',
};

/**
 * Parses a phone number as people write it and normalises it to E.164. Refuses, with a typed
 * {@link PhoneNumberError}, whatever cannot be a number: letters, an unknown calling code, a length
 * no number of the country has, a national number with no country to read it in.
 * @param input - the number as written (`+49 (0)30 1234567`, `030 1234567`, `0049 30 1234567`)
 * @param options - default country, `wa_id` reading, field name
 * @returns the parsed number
 * @throws PhoneNumberError (code VALIDATION_FAILED)
 * @example
 * parsePhoneNumber('030 1234567', { defaultCountry: 'DE' }).e164 // '+49301234567'
 * parsePhoneNumber('+49 (0)30 1234567').digits                   // '49301234567'
 */
export function parsePhoneNumber(input: string, options: PhoneParseOptions = {}): PhoneNumber {
  const field = options.field;
  const errorOptions = field ? { field } : {};
  if (typeof input !== 'string') throw new PhoneNumberError('NOT_A_NUMBER', errorOptions);
  let text = input.trim();
  if (options.assumeInternational && /^[1-9][0-9]{5,14}$/.test(text)) text = `+${text}`;
  let country: CountryCode | undefined;
  if (options.defaultCountry !== undefined) {
    if (!isSupportedCountry(options.defaultCountry)) throw new PhoneNumberError('INVALID_COUNTRY', errorOptions);
    country = options.defaultCountry;
  }
  let parsed;
  try {
    parsed = parsePhoneNumberWithError(text, { extract: false, ...(country ? { defaultCountry: country } : {}) });
  } catch (cause) {
    const code = cause instanceof ParseError ? cause.message : 'NOT_A_NUMBER';
    // without a default country a national number reads as an unknown country
    const problem = code === 'INVALID_COUNTRY' && !country && !/^\s*(\+|00)/.test(text) && /[0-9]/.test(text) ? 'NEEDS_COUNTRY' : (PROBLEMS_FROM_LIBRARY[code] ?? 'NOT_A_NUMBER');
    throw new PhoneNumberError(problem, { ...errorOptions, cause });
  }
  if (!parsed.isPossible()) throw new PhoneNumberError('IMPOSSIBLE', errorOptions);
  const e164 = parsed.number;
  return {
    e164, digits: e164.slice(1), countryCallingCode: parsed.countryCallingCode, nationalNumber: parsed.nationalNumber,
    valid: parsed.isValid(),
    ...(parsed.country ? { country: parsed.country } : {}), ...(parsed.ext ? { extension: parsed.ext } : {}),
  };
}

/**
 * Normalises a phone number to E.164.
 * @param input - the number as written
 * @param options - see {@link parsePhoneNumber}
 * @returns `+` and digits
 * @throws PhoneNumberError
 * @example
 * toE164('+49 (0)30 1234567') // '+49301234567'
 */
export function toE164(input: string, options: PhoneParseOptions = {}): string {
  return parsePhoneNumber(input, options).e164;
}

/**
 * Why a text cannot be a phone number, without throwing (for validators that list every problem).
 * @param input - the number as written
 * @param options - see {@link parsePhoneNumber}
 * @returns the problem's message, or undefined when it is a number
 */
export function phoneNumberProblem(input: string, options: Omit<PhoneParseOptions, 'field'> = {}): string | undefined {
  try {
    parsePhoneNumber(input, options);
    return undefined;
  } catch (error) {
    if (error instanceof PhoneNumberError) return MESSAGES[error.problem];
    throw error;
  }
}
