import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appNameProblem, connectorNameProblem, connectorNames, MAX_APP_NAME_LENGTH, MAX_CONNECTOR_NAME_LENGTH, RESERVED_CHANNELS } from './names.js';

const word = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const validConnector = fc
  .tuple(fc.stringMatching(/^[a-z]$/), fc.stringMatching(/^[a-z0-9]{0,5}$/), fc.array(word, { maxLength: 3 }))
  .map(([first, rest, words]) => [first + rest, ...words].join('-'))
  .filter((name) => !RESERVED_CHANNELS.includes(name));

describe('connectorNameProblem', () => {
  it('accepts every lower-case kebab-case name that is not a first-party channel', () => {
    fc.assert(fc.property(validConnector, (name) => connectorNameProblem(name) === undefined));
  });

  it('refuses any name with a character outside a-z, 0-9 and "-", saying why', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 20 }).filter((s) => /[^a-z0-9-]/.test(s)), (name) => {
      const problem = connectorNameProblem(name);
      return problem !== undefined && problem.length > 10;
    }));
  });

  it('refuses leading digits or dashes, doubled or trailing dashes, the empty name and over-long names', () => {
    for (const name of ['1sms', '-sms', 'acme--sms', 'acme-', '', 'a'.repeat(MAX_CONNECTOR_NAME_LENGTH + 1), 'Acme-SMS', 'acme_sms', 'acme sms']) {
      expect(connectorNameProblem(name), name).toBeDefined();
    }
  });

  it('refuses the channel ids of the first-party connectors', () => {
    for (const channel of RESERVED_CHANNELS) expect(connectorNameProblem(channel)).toMatch(/taken by a first-party connector/);
  });
});

describe('appNameProblem', () => {
  it('accepts npm-style lower-case names and refuses names npm or a folder would not take', () => {
    for (const name of ['my-bot', 'shop.bot', 'bot_2', 'a']) expect(appNameProblem(name), name).toBeUndefined();
    for (const name of ['My-Bot', 'my bot', '../x', '.hidden', '_x', 'my-bot/', 'node_modules', '', 'a'.repeat(MAX_APP_NAME_LENGTH + 1), '@scope/bot']) {
      expect(appNameProblem(name), name).toBeDefined();
    }
  });

  it('never accepts a name with a path separator, a space or an upper-case letter', () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (name) => {
      if (/[/\\ A-Z]/.test(name)) return appNameProblem(name) !== undefined;
      return true;
    }));
  });
});

describe('connectorNames', () => {
  it('gives the class, value, constant, title and package forms of acme-sms', () => {
    expect(connectorNames('acme-sms')).toEqual({
      name: 'acme-sms', pascal: 'AcmeSms', camel: 'acmeSms', constant: 'ACME_SMS', title: 'Acme Sms', packageName: 'switchboard-acme-sms',
    });
  });

  it('gives identifiers TypeScript accepts, and the constant form leads back to the name', () => {
    fc.assert(fc.property(validConnector, (name) => {
      const n = connectorNames(name);
      expect(n.pascal).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      expect(n.camel).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(n.constant).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(n.constant.toLowerCase().replaceAll('_', '-')).toBe(name);
    }));
  });
});
