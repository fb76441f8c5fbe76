import { describe, expect, it } from 'vitest';
import { KeywordMatcher, normalizeKeyword } from './keywords.js';

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
