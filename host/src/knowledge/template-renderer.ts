/**
 * Variables in saved replies: `{{contact.name}}`, `{{contact.attributes.tier}}`,
 * `{{crm.orders.0.status}}`. A placeholder is a dotted path looked up in plain data — own
 * properties only (no prototype: `{{contact.constructor}}` finds nothing), array items by index,
 * only strings, finite numbers and booleans printed — and nothing is ever evaluated. A value is
 * inserted as it is and never read again as a template. What cannot be filled is reported, so a
 * bot can fall back and an agent sees what to complete.
 * @module
 */

/** The data placeholders are looked up in (plain objects and arrays). */
export type TemplateVariables = Readonly<Record<string, unknown>>;

/** The outcome of {@link renderTemplate}. */
export interface RenderedTemplate {
  /** The text with every filled placeholder replaced. */
  text: string;
  /** Paths with no printable value (unknown, empty, or an object), in order of appearance, each once. */
  missing: string[];
  /** Placeholders that are not a path (`{{ 1 + 1 }}`), left in the text as they are. */
  invalid: string[];
}

/** How a placeholder with no value is rendered: left as written (default: an agent sees it), or removed. */
export type MissingVariables = 'keep' | 'empty';

const PLACEHOLDER = /\{\{([^{}]{0,200})\}\}/g;
const PATH = /^[A-Za-z_][A-Za-z0-9_-]{0,63}(?:\.[A-Za-z0-9_-]{1,64}){0,7}$/;
/** Longest text rendered (a saved reply is at most 4 096 characters; this bounds any caller). */
export const MAX_TEMPLATE_LENGTH = 100_000;

/**
 * Looks a dotted path up in plain data.
 * @param variables - the data
 * @param path - `contact.attributes.tier`
 * @returns the printable value, or undefined
 */
export function lookUp(variables: TemplateVariables, path: string): string | undefined {
  let v: unknown = variables;
  for (const key of path.split('.')) {
    if (Array.isArray(v)) {
      if (!/^\d{1,6}$/.test(key)) return undefined;
      v = v[Number(key)];
    } else if (v !== null && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
      if (!Object.hasOwn(v, key)) return undefined;
      v = (v as Record<string, unknown>)[key];
    } else {
      return undefined;
    }
  }
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * Fills a template's placeholders.
 * @param template - the text (at most {@link MAX_TEMPLATE_LENGTH} characters)
 * @param variables - the data
 * @param options.missing - `keep` (default) leaves an unfilled placeholder as written, `empty` removes it
 * @returns the text and what could not be filled
 * @throws RangeError for a template longer than {@link MAX_TEMPLATE_LENGTH}
 * @example
 * renderTemplate('Hello {{contact.name}}', { contact: { name: 'Ann' } }) // { text: 'Hello Ann', missing: [], invalid: [] }
 */
export function renderTemplate(template: string, variables: TemplateVariables, options: { missing?: MissingVariables } = {}): RenderedTemplate {
  if (template.length > MAX_TEMPLATE_LENGTH) throw new RangeError(`a template is at most ${MAX_TEMPLATE_LENGTH} characters`);
  const missing = new Set<string>();
  const invalid = new Set<string>();
  const text = template.replace(PLACEHOLDER, (whole, inner: string) => {
    const path = inner.trim();
    if (!PATH.test(path)) { invalid.add(whole); return whole; }
    const value = lookUp(variables, path);
    if (value !== undefined) return value;
    missing.add(path);
    return options.missing === 'empty' ? '' : whole;
  });
  return { text, missing: [...missing], invalid: [...invalid] };
}

/**
 * The placeholders a template uses (to check saved replies when they are saved).
 * @param template - the text
 * @returns the valid paths and the invalid placeholders
 */
export function templateVariables(template: string): { paths: string[]; invalid: string[] } {
  const paths = new Set<string>();
  const invalid = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) {
    const path = m[1]!.trim();
    if (PATH.test(path)) paths.add(path); else invalid.add(m[0]);
  }
  return { paths: [...paths], invalid: [...invalid] };
}
