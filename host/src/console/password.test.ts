import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password.js';

describe('password rules', () => {
  const ana = { email: 'ana.smith@example.com', name: 'Ana Smith' };

  it.each([
    ['ten spaces', ' '.repeat(10), /at least 12/],
    ['twelve spaces', ' '.repeat(12), /only spaces/],
    ['tabs and newlines', '\t\n \t\n \t\n \t\n ', /only spaces/],
    ['one repeated character', 'aaaaaaaaaaaaaaaa', /one character repeated/],
    ['one repeated character with spaces', 'x x x x x x x x', /one character repeated/],
    ['a short repeated pattern', 'abababababab', /short pattern/],
    ['digits in a row', '123456789012', /sequence/],
    ['the alphabet backwards', 'zyxwvutsrqpon', /sequence/],
    ['a keyboard row', 'qwertyuiopasdf', /sequence/],
    ['a keyboard walk', '1qaz2wsx3edc4rfv', /common|sequence/],
    ['a common password', 'password1234', /common/],
    ['a common word with symbols and swapped letters', 'P@ssw0rd2024!', /common/],
    ['a common word with a year', 'Summer2024!!!', /common/],
    ['a common word twice', 'dragondragon', /common/],
    ['the product name', 'Switchboard123', /common/],
    ['the e-mail', 'ana.smith@example.com', /e-mail address or name/],
    ['the name with a year', 'AnaSmith2024!', /e-mail address or name/],
  ])('refuse %s', (_what, password, problem) => {
    expect(passwordProblem(password, ana)).toMatch(problem);
  });

  it.each([
    'correct horse battery staple', 'tram ladder quietly 42', '9f3k-22Lp-x0q!', 'ana likes green tea at 5',
    'admin password 1', 'Ünïcödé pässwörd ✓',
  ])('accept %j', (password) => {
    expect(passwordProblem(password, ana)).toBeUndefined();
  });

  it('bound the length and the type', () => {
    expect(passwordProblem('k'.repeat(1025))).toMatch(/at most 1024/);
    expect(passwordProblem(null)).toBe('must be a string');
    expect(passwordProblem('elevenchars')).toMatch(/at least 12/);
  });
});
