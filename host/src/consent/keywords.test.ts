import { describe, expect, it } from 'vitest';
import { KeywordMatcher, matchConfirmation, normalizeKeyword } from './keywords.js';

describe('consent keywords', () => {
  const m = new KeywordMatcher();
  it.each([
    ['STOP', 'stop'], ['stop.', 'stop'], ['  Unsubscribe! ', 'stop'], ['BAJA', 'stop'], ['Abmelden', 'stop'], ['arrêt', 'stop'],
    ['Sair', 'stop'], ['basta', 'stop'], ['afmelden', 'stop'], ['START', 'start'], ['Démarrer', 'start'], ['Alta', 'start'],
    ['important only', 'important-only'], ['Nur wichtige', 'important-only'], ['alleen belangrijk', 'important-only'],
  ] as const)('%s → %s', (text, kind) => { expect(m.match(text)).toBe(kind); });

  it('matches whole messages only', () => {
    expect(m.match("please don't stop my order")).toBeUndefined();
    expect(m.match('stop it now')).toBeUndefined();
    expect(m.match('x'.repeat(100))).toBeUndefined();
  });

  it('is configurable per tenant, and takes a channel\'s own opt-out words', () => {
    const custom = new KeywordMatcher({ stop: ['halt'], start: ['go'], replaceDefaults: true }, ['end chat']);
    expect(custom.match('HALT')).toBe('stop');
    expect(custom.match('go')).toBe('start');
    expect(custom.match('stop')).toBeUndefined();
    expect(custom.match('End chat')).toBe('stop');
  });

  it('normalises case, accents and surrounding punctuation', () => {
    expect(normalizeKeyword('  ¡Démarrer!  ')).toBe('demarrer');
    expect(normalizeKeyword('Only   important')).toBe('only important');
  });
});

describe('keyword languages and confirmations', () => {
  const m = new KeywordMatcher();
  it.each([
    ['BAJA', 'stop', 'es'], ['Parar', 'stop', 'es'], ['CANCELAR', 'stop', 'es'], ['ALTA', 'start', 'es'], ['Solo importantes', 'important-only', 'es'],
    ['STOPP', 'stop', 'de'], ['Désabonner', 'stop', 'fr'], ['Descadastrar', 'stop', 'pt'], ['Disiscrivi', 'stop', 'it'], ['STOP', 'stop', 'en'],
    ['Nur wichtige', 'important-only', 'de'], ['Reprendre', 'start', 'fr'], ['Riprendi', 'start', 'it'], ['Iniciar', 'start', 'pt'],
  ] as const)('%s → %s (%s)', (text, kind, language) => { expect(m.matchDetailed(text)).toEqual({ kind, language }); });

  it('knows no language for a tenant\'s own words', () => {
    expect(new KeywordMatcher({ stop: ['halt'] }).matchDetailed('halt')).toEqual({ kind: 'stop' });
  });

  it('matches whole-message confirmations only', () => {
    expect(matchConfirmation('YES')).toEqual({ language: 'en' });
    expect(matchConfirmation('Sí.')).toEqual({ language: 'es' });
    expect(matchConfirmation('ja!')).toEqual({ language: 'de' });
    expect(matchConfirmation('Oui')).toEqual({ language: 'fr' });
    expect(matchConfirmation('Sim')).toEqual({ language: 'pt' });
    expect(matchConfirmation('confermo')).toEqual({ language: 'it' });
    expect(matchConfirmation('yes but not for marketing')).toBeUndefined();
    expect(matchConfirmation('maybe')).toBeUndefined();
  });
});
