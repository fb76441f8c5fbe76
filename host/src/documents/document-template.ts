/**
 * Document templates: a named, typed definition of a document a business sends — a boarding pass,
 * an order receipt, an invoice. A template is data plus one function: a closed zod schema of the
 * message's data (unknown keys refused, every string, array and number bounded) and a `render`
 * that lays the document out from that data and from the contact (name, locale, time zone) with
 * the {@link DocumentLayout} helpers. {@link renderDocument} validates and renders; the host sends
 * the PDF as a `document` message through the usual outbound path.
 * @module
 */
import { ConfigError, isValidTimeZone, type Contact } from '@switchboard/core';
import { z } from 'zod';
import { isUsableLocale } from './format.js';
import type { DocumentLayout, PageSize } from './pdf-layout.js';

/** A template name: lower-case words joined by hyphens (`boarding-pass`). */
export const TEMPLATE_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Longest template name. */
export const MAX_TEMPLATE_NAME = 64;

/**
 * A line of text for a template's schema: trimmed, 1 to `max` characters, no control characters
 * (a line break inside a field would break the layout; a template that wants several lines takes
 * an array).
 * @param max - longest allowed, in characters
 * @returns the schema
 */
export function documentText(max: number): z.ZodString {
  return z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`)
    .regex(/^[^\p{Cc}\p{Cs}\u2028\u2029]*$/u, 'must not hold control characters or line breaks');
}

/**
 * The contact a document is rendered for, as the template sees it: the name to print, the locale
 * numbers, amounts and dates are formatted for, and the time zone instants are shown in.
 */
export const DocumentContactSchema = z.strictObject({
  /** The contact's name (as their profile has it). */
  name: documentText(128).optional(),
  /** BCP 47 locale (`de-DE`, `pt`); default `en`. */
  locale: z.string().max(35).refine(isUsableLocale, 'must be a BCP 47 locale the host can format for (e.g. de-DE)').default('en'),
  /** IANA time zone (`Europe/Berlin`); default `UTC`. */
  timeZone: z.string().max(64).refine(isValidTimeZone, 'must be an IANA time zone (e.g. Europe/Berlin)').default('UTC'),
});

/** The contact of a rendering, after defaults (`locale` `en`, `timeZone` `UTC`). */
export type DocumentContact = z.output<typeof DocumentContactSchema>;

/** The contact as a caller gives it (every field optional). */
export type DocumentContactInput = z.input<typeof DocumentContactSchema>;

/**
 * The contact data a document uses, read from a stored contact's profile: its name, its locale and
 * its time zone (`profile.timeZone`, as quiet hours read it), each only when it is usable.
 * @param contact - the stored contact
 * @returns what {@link renderDocument} takes as `contact`
 */
export function documentContactOf(contact: Pick<Contact, 'profile'>): DocumentContactInput {
  const { name, locale, timeZone } = contact.profile as { name?: unknown; locale?: unknown; timeZone?: unknown };
  return {
    ...(typeof name === 'string' && name.trim() !== '' ? { name: name.trim().slice(0, 128) } : {}),
    ...(typeof locale === 'string' && isUsableLocale(locale) ? { locale } : {}),
    ...(typeof timeZone === 'string' && isValidTimeZone(timeZone) ? { timeZone } : {}),
  };
}

/** What a template's `render` gets. */
export interface DocumentRenderContext<Data> {
  /** The message's data, parsed by the template's schema. */
  data: Data;
  /** The contact it is rendered for. */
  contact: DocumentContact;
  /** The message's time (the host clock's now): the document's date. */
  at: Date;
  /** Where to draw. */
  layout: DocumentLayout;
}

/**
 * A document template.
 * @typeParam S - the schema of the message's data
 */
export interface DocumentTemplate<S extends z.ZodType = z.ZodType> {
  /** Its name, unique in a {@link DocumentTemplates} set: lower-case words joined by hyphens. */
  readonly name: string;
  /** What it is, for people (listed with the templates). */
  readonly description: string;
  /** The closed schema of the message's data: unknown keys refused, sizes bounded. */
  readonly schema: S;
  /** Page size (default A4). */
  readonly pageSize?: PageSize;
  /**
   * The document's title (its PDF metadata; viewers show it).
   * @param data - the parsed data
   */
  title(data: z.output<S>): string;
  /**
   * The file name the customer sees, without a path (`.pdf` is added when missing).
   * @param data - the parsed data
   */
  filename(data: z.output<S>): string;
  /**
   * Lays the document out.
   * @param ctx - data, contact, time and the layout
   */
  render(ctx: DocumentRenderContext<z.output<S>>): void | Promise<void>;
}

/**
 * Defines a template with its data type inferred from its schema (an identity function, for types).
 * @param template - the template
 * @returns the same template
 * @example
 * const invoice = defineDocumentTemplate({
 *   name: 'invoice', description: 'A workshop invoice',
 *   schema: z.strictObject({ number: documentText(20), items: z.array(LineItemSchema).min(1).max(100), currency: CurrencySchema }),
 *   title: (d) => `Invoice ${d.number}`, filename: (d) => `Invoice ${d.number}.pdf`,
 *   render: ({ data, layout }) => { layout.title(`Invoice ${data.number}`); layout.lineItems(data.items, data.currency, LABELS); },
 * });
 */
export function defineDocumentTemplate<S extends z.ZodType>(template: DocumentTemplate<S>): DocumentTemplate<S> {
  return template;
}

/** A set of templates by name: what {@link renderDocument} looks names up in. */
export class DocumentTemplates {
  private readonly byName = new Map<string, DocumentTemplate>();

  /**
   * @param templates - the templates; names must be well-formed and unique
   * @throws ConfigError naming a template whose name is malformed or taken twice
   */
  constructor(templates: readonly DocumentTemplate[]) {
    templates.forEach((t, i) => {
      if (typeof t.name !== 'string' || t.name.length > MAX_TEMPLATE_NAME || !TEMPLATE_NAME.test(t.name)) {
        throw new ConfigError(`documents.templates[${i}].name`, `"${String(t.name)}" must be lower-case words joined by hyphens, at most ${MAX_TEMPLATE_NAME} characters`);
      }
      if (this.byName.has(t.name)) throw new ConfigError(`documents.templates[${i}].name`, `"${t.name}" is defined twice`);
      this.byName.set(t.name, t);
    });
  }

  /**
   * @param name - a template name
   * @returns the template, or undefined
   */
  get(name: string): DocumentTemplate | undefined {
    return this.byName.get(name);
  }

  /** @returns the names, in the order given */
  names(): string[] {
    return [...this.byName.keys()];
  }
}
