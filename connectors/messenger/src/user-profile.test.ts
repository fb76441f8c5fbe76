import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, PermanentError, isSwitchboardError } from '@switchboard/core';
import { parseConfig } from './config.js';
import { FakeMessengerServer, messengerSandboxConfig } from './fake-messenger-server.js';
import { MessengerConnector } from './messenger-connector.js';
import { profileOf, userProfileRequest } from './user-profile.js';

const clock = new ManualClock(Date.parse('2026-12-06T10:00:00Z'));
const fake = new FakeMessengerServer({ config: { ...messengerSandboxConfig }, clock });
/** What the connector's fetch sent. */
const sent: { method: string; url: string; headers: Record<string, string> }[] = [];
const recording: typeof fetch = async (input, init) => {
  sent.push({ method: init?.method ?? 'GET', url: String(input), headers: Object.fromEntries(new Headers(init?.headers).entries()) });
  return fetch(input, init);
};
let connector: MessengerConnector;

beforeAll(async () => {
  await fake.start();
  connector = new MessengerConnector(parseConfig(fake.connectorConfig()), { fetch: recording, clock });
});
afterAll(async () => { await fake.stop(); });

describe('User Profile API', () => {
  it('asks GET /{version}/{PSID}?fields=name,first_name,last_name with the page token in the header (exact request)', () => {
    const config = parseConfig({ ...messengerSandboxConfig, apiBaseUrl: 'https://graph.facebook.com' });
    expect(userProfileRequest(config, '6543210987654321')).toEqual({
      method: 'GET',
      url: `https://graph.facebook.com/${config.apiVersion}/6543210987654321?fields=name,first_name,last_name`,
      headers: { authorization: `Bearer ${config.pageAccessToken}` },
    });
    expect(userProfileRequest(config, 'a/b?c').url).toContain('/a%2Fb%3Fc?fields=');
  });

  it('reads the name the fake platform answers for a person who wrote to the Page', async () => {
    fake.knowUser('7001000000001', 'Ada Lovelace');
    sent.length = 0;
    await expect(connector.lookupProfile('7001000000001')).resolves.toEqual({ name: 'Ada Lovelace' });
    expect(sent).toEqual([{ method: 'GET', url: expect.stringMatching(/\/v\d+\.\d+\/7001000000001\?fields=name,first_name,last_name$/), headers: { authorization: `Bearer ${messengerSandboxConfig.pageAccessToken}` } }]);
  });

  it('answers undefined for an account made with a phone number (2018218) and for an unknown PSID (100/33)', async () => {
    fake.knowUser('7001000000002', 'Phone Only');
    fake.withoutProfile('7001000000002');
    await expect(connector.lookupProfile('7001000000002')).resolves.toBeUndefined();
    await expect(connector.lookupProfile('7009999999999')).resolves.toBeUndefined();
  });

  it('throws a classified error for a bad page token', async () => {
    const wrong = new MessengerConnector(parseConfig({ ...fake.connectorConfig(), pageAccessToken: 'EAAG-not-the-token' }), { clock });
    const error = await wrong.lookupProfile('7001000000001').catch((e: unknown) => e);
    expect(isSwitchboardError(error)).toBe(true);
    expect(error).toBeInstanceOf(PermanentError);
  });

  it('profileOf takes name, else first and last name, and never throws (property)', () => {
    expect(profileOf({ name: ' Grace Hopper ' })).toEqual({ name: 'Grace Hopper' });
    expect(profileOf({ first_name: 'Grace', last_name: '' })).toEqual({ name: 'Grace' });
    expect(profileOf({ id: '1' })).toEqual({});
    fc.assert(fc.property(fc.anything(), (body) => {
      const p = profileOf(body);
      return p.name === undefined || (typeof p.name === 'string' && p.name.trim() === p.name && p.name !== '');
    }));
  });
});
