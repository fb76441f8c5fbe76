/**
 * Consent keywords: STOP / START and "important only", in English, Spanish, German, French,
 * Portuguese, Italian and Dutch by default, configurable per tenant. A keyword counts only when it
 * is the whole message (so "don't stop the order" opts nobody out), compared without case,
 * accents or surrounding punctuation. The language a default keyword belongs to is kept, so the
 * confirmation reply can answer in the customer's language.
 * @module
 */
import type { Content } from '@switchboard/core';
import type { KeywordConfig } from '../config/host-config.js';

/** What a keyword asks for. */
export type KeywordKind = 'stop' | 'start' | 'important-only';

/** Languages the default lists (and the consent feature's replies) cover. */
export type KeywordLanguage = 'en' | 'es' | 'de' | 'fr' | 'pt' | 'it' | 'nl';

/** A matched keyword: what it asks for and, for a default word, its language. */
export interface KeywordMatch {
  kind: KeywordKind;
  /** Undefined for a tenant's own words (their language is not known). */
  language?: KeywordLanguage;
}

/** Word lists per language. */
export type ByLanguage = Readonly<Record<KeywordLanguage, readonly string[]>>;

/** Default opt-out words, by language. */
export const STOP_KEYWORDS_BY_LANGUAGE: ByLanguage = {
  en: ['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'opt out', 'optout', 'opt-out'],
  es: ['baja', 'parar', 'detener', 'cancelar', 'darme de baja', 'no mas', 'alto'],
  de: ['stopp', 'abmelden', 'abbestellen', 'austragen', 'beenden'],
  fr: ['arret', 'arreter', 'desabonner', 'desinscrire', 'desinscription'],
  pt: ['sair', 'pare', 'parar envio', 'cancelar inscricao', 'descadastrar'],
  it: ['basta', 'disiscrivi', 'annulla iscrizione', 'cancellami', 'fermati'],
  nl: ['afmelden', 'uitschrijven', 'stoppen'],
};

/** Default opt-back-in words, by language. */
export const START_KEYWORDS_BY_LANGUAGE: ByLanguage = {
  en: ['start', 'unstop', 'subscribe', 'resume'],
  es: ['alta', 'empezar', 'reanudar', 'suscribir', 'darme de alta'],
  de: ['anmelden', 'starten', 'fortsetzen'],
  fr: ['commencer', 'demarrer', 'reprendre', 'abonner'],
  pt: ['iniciar', 'comecar', 'voltar', 'inscrever'],
  it: ['iscrivi', 'inizia', 'riprendi'],
  nl: ['aanmelden', 'hervatten', 'inschrijven'],
};

/** Default "important only" phrases, by language. */
export const IMPORTANT_ONLY_KEYWORDS_BY_LANGUAGE: ByLanguage = {
  en: ['important only', 'only important'],
  es: ['solo importantes', 'solo importante', 'solo lo importante'],
  de: ['nur wichtige', 'nur wichtiges'],
  fr: ['important seulement', 'seulement important', 'uniquement important'],
  pt: ['apenas importantes', 'so importantes', 'so o importante'],
  it: ['solo importanti', 'solo cose importanti'],
  nl: ['alleen belangrijk', 'alleen belangrijke'],
};

/**
 * Words that confirm a pending double opt-in. They are not keywords: "yes" only means something
 * while the host is waiting for a confirmation from that customer.
 */
export const CONFIRM_WORDS_BY_LANGUAGE: ByLanguage = {
  en: ['yes', 'y', 'yes please', 'confirm', 'i confirm'],
  es: ['si', 'confirmar', 'confirmo', 'de acuerdo'],
  de: ['ja', 'bestatigen', 'ich bestatige', 'einverstanden'],
  fr: ['oui', 'confirmer', 'je confirme', 'd accord', "d'accord"],
  pt: ['sim', 'confirmar', 'confirmo', 'aceito'],
  it: ['si', 'confermo', 'confermare'],
  nl: ['ja', 'bevestig', 'bevestigen', 'akkoord'],
};

const flatten = (lists: ByLanguage): string[] => Object.values(lists).flat();

/** Default opt-out words. */
export const DEFAULT_STOP_KEYWORDS: readonly string[] = flatten(STOP_KEYWORDS_BY_LANGUAGE);
/** Default opt-back-in words. */
export const DEFAULT_START_KEYWORDS: readonly string[] = flatten(START_KEYWORDS_BY_LANGUAGE);
/** Default "important only" phrases. */
export const DEFAULT_IMPORTANT_ONLY_KEYWORDS: readonly string[] = flatten(IMPORTANT_ONLY_KEYWORDS_BY_LANGUAGE);

/**
 * Normalises text for keyword comparison: lower case, no accents, no punctuation at the ends,
 * single spaces.
 * @param text - a message text
 * @returns the normalised text
 */
export function normalizeKeyword(text: string): string {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase()
    .replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, '')
    .replace(/\s+/g, ' ');
}

/**
 * The text of content that keywords and routing rules are matched against: text, a reply's
 * title, or a caption.
 * @param content - message content
 * @returns the text, if the content carries one
 */
export function textOf(content: Content): string | undefined {
  if (content.type === 'text') return content.text;
  if (content.type === 'reply') return content.title;
  if ('media' in content) return content.media.caption;
  return undefined;
}

const CONFIRM_WORDS = new Map<string, KeywordLanguage>();
// English first, so a word shared by several languages ("si", "ja") keeps the first language listed
for (const [language, words] of Object.entries(CONFIRM_WORDS_BY_LANGUAGE) as [KeywordLanguage, readonly string[]][]) {
  for (const w of words) { const n = normalizeKeyword(w); if (!CONFIRM_WORDS.has(n)) CONFIRM_WORDS.set(n, language); }
}

/**
 * Whether a whole message confirms (YES, sí, ja, oui, sim…).
 * @param text - a message text
 * @returns the language of the confirming word, or undefined when the message is not one
 */
export function matchConfirmation(text: string): { language: KeywordLanguage } | undefined {
  if (text.length > 32) return undefined;
  const language = CONFIRM_WORDS.get(normalizeKeyword(text));
  return language ? { language } : undefined;
}

/** Matches whole-message keywords for one tenant (and one channel's extra opt-out words). */
export class KeywordMatcher {
  private readonly map = new Map<string, KeywordMatch>();

  /**
   * @param config - the tenant's lists
   * @param extraStop - opt-out words the channel itself treats as such (Apple's)
   */
  constructor(config: KeywordConfig = {}, extraStop: readonly string[] = []) {
    const useDefaults = !config.replaceDefaults;
    const add = (words: readonly string[], kind: KeywordKind, language?: KeywordLanguage): void => {
      for (const w of words) { const n = normalizeKeyword(w); if (n) this.map.set(n, language ? { kind, language } : { kind }); }
    };
    const addDefaults = (lists: ByLanguage, kind: KeywordKind): void => {
      for (const [language, words] of Object.entries(lists) as [KeywordLanguage, readonly string[]][]) add(words, kind, language);
    };
    if (useDefaults) { addDefaults(START_KEYWORDS_BY_LANGUAGE, 'start'); addDefaults(IMPORTANT_ONLY_KEYWORDS_BY_LANGUAGE, 'important-only'); }
    add(config.start ?? [], 'start');
    add(config.importantOnly ?? [], 'important-only');
    // opt-out last: when a word is in two lists, honouring the opt-out is the safe reading
    if (useDefaults) addDefaults(STOP_KEYWORDS_BY_LANGUAGE, 'stop');
    add(extraStop, 'stop');
    add(config.stop ?? [], 'stop');
  }

  /**
   * @param text - a message text
   * @returns the keyword kind, when the whole message is one
   */
  match(text: string): KeywordKind | undefined {
    return this.matchDetailed(text)?.kind;
  }

  /**
   * @param text - a message text
   * @returns the keyword kind and its language, when the whole message is one
   */
  matchDetailed(text: string): KeywordMatch | undefined {
    if (text.length > 64) return undefined;
    return this.map.get(normalizeKeyword(text));
  }
}
