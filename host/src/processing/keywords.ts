/**
 * Consent keywords: STOP / START and "important only", in English, Spanish, German, French,
 * Portuguese, Italian and Dutch by default, configurable per tenant. A keyword counts only when it
 * is the whole message (so "don't stop the order" opts nobody out), compared without case,
 * accents or surrounding punctuation.
 * @module
 */
import type { KeywordConfig } from '../config/host-config.js';

/** What a keyword asks for. */
export type KeywordKind = 'stop' | 'start' | 'important-only';

/** Default opt-out words. */
export const DEFAULT_STOP_KEYWORDS: readonly string[] = [
  // en
  'stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'opt out', 'optout', 'opt-out',
  // es
  'baja', 'parar', 'detener', 'cancelar', 'darme de baja', 'no mas',
  // de
  'stopp', 'abmelden', 'abbestellen', 'austragen', 'beenden',
  // fr
  'arret', 'arreter', 'desabonner', 'desinscrire', 'desinscription',
  // pt
  'sair', 'pare', 'cancelar inscricao', 'descadastrar',
  // it
  'basta', 'disiscrivi', 'annulla iscrizione', 'cancellami',
  // nl
  'afmelden', 'uitschrijven', 'stoppen',
];

/** Default opt-back-in words. */
export const DEFAULT_START_KEYWORDS: readonly string[] = [
  'start', 'unstop', 'subscribe', 'resume',
  'alta', 'empezar', 'reanudar', 'suscribir',
  'anmelden', 'starten', 'fortsetzen',
  'commencer', 'demarrer', 'reprendre', 'abonner',
  'iniciar', 'comecar', 'voltar', 'inscrever',
  'iscrivi', 'inizia', 'riprendi',
  'aanmelden', 'hervatten', 'inschrijven',
];

/** Default "important only" phrases. */
export const DEFAULT_IMPORTANT_ONLY_KEYWORDS: readonly string[] = [
  'important only', 'only important',
  'solo importantes', 'solo importante',
  'nur wichtige', 'nur wichtiges',
  'important seulement', 'seulement important', 'uniquement important',
  'apenas importantes', 'so importantes',
  'solo importanti', 'solo importante',
  'alleen belangrijk', 'alleen belangrijke',
];

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

/** Matches whole-message keywords for one tenant (and one channel's extra opt-out words). */
export class KeywordMatcher {
  private readonly map = new Map<string, KeywordKind>();

  /**
   * @param config - the tenant's lists
   * @param extraStop - opt-out words the channel itself treats as such (Apple's)
   */
  constructor(config: KeywordConfig = {}, extraStop: readonly string[] = []) {
    const useDefaults = !config.replaceDefaults;
    const add = (words: readonly string[], kind: KeywordKind): void => {
      for (const w of words) { const n = normalizeKeyword(w); if (n) this.map.set(n, kind); }
    };
    if (useDefaults) { add(DEFAULT_START_KEYWORDS, 'start'); add(DEFAULT_IMPORTANT_ONLY_KEYWORDS, 'important-only'); }
    add(config.start ?? [], 'start');
    add(config.importantOnly ?? [], 'important-only');
    // opt-out last: when a word is in two lists, honouring the opt-out is the safe reading
    if (useDefaults) add(DEFAULT_STOP_KEYWORDS, 'stop');
    add(extraStop, 'stop');
    add(config.stop ?? [], 'stop');
  }

  /**
   * @param text - a message text
   * @returns the keyword kind, when the whole message is one
   */
  match(text: string): KeywordKind | undefined {
    if (text.length > 64) return undefined;
    return this.map.get(normalizeKeyword(text));
  }
}
