/**
 * Moved to `consent/keywords.ts` (consent keywords are the consent area's; routing matches rule
 * keywords with the same normalisation and must not import processing). Kept so the package's
 * entry point still exports them from here; `textOf` is exported by `routing/router.ts`.
 * @module
 */
export {
  CONFIRM_WORDS_BY_LANGUAGE, DEFAULT_IMPORTANT_ONLY_KEYWORDS, DEFAULT_START_KEYWORDS, DEFAULT_STOP_KEYWORDS,
  IMPORTANT_ONLY_KEYWORDS_BY_LANGUAGE, KeywordMatcher, matchConfirmation, normalizeKeyword, START_KEYWORDS_BY_LANGUAGE,
  STOP_KEYWORDS_BY_LANGUAGE, type ByLanguage, type KeywordKind, type KeywordLanguage, type KeywordMatch,
} from '../consent/keywords.js';
