import { describe, expect, it } from 'vitest';
import {
  addressKey, capabilityOf, CONNECTOR_API_VERSION, connectorOptionsToken, connectorPluginProblems, ManualClock, silentLogger, systemClock,
  type CapabilityTable,
} from './index.js';
import { ContainerModule } from './di.js';
import { telegramPolicy } from './__fixtures__/channel-policies.js';

describe('connector SPI helpers', () => {
  const capabilities: CapabilityTable = {
    text: 'native', image: 'native', video: 'native', audio: 'native', document: 'native', sticker: 'unsupported', location: 'native',
    contacts: { support: 'degraded', note: 'sent as text' }, reply: 'unsupported', reaction: 'native', interactive: 'native', template: 'unsupported', rich: 'unsupported',
  };
  const plugin = {
    apiVersion: 1, channel: 'line', displayName: 'LINE', policy: telegramPolicy, capabilities,
    parseConfig: (x: unknown) => x, create: () => { throw new Error('unused'); }, module: () => new ContainerModule(() => {}),
  };
  it('capabilityOf reads plain and annotated entries', () => {
    expect(capabilityOf(capabilities, 'text')).toBe('native');
    expect(capabilityOf(capabilities, 'contacts')).toBe('degraded');
    expect(capabilityOf(capabilities, 'rich')).toBe('unsupported');
  });
  it('connectorPluginProblems accepts a well-formed plugin by shape', () => {
    expect(CONNECTOR_API_VERSION).toBe(1);
    expect(connectorPluginProblems(plugin)).toEqual([]);
    expect(connectorPluginProblems({ ...plugin, fake: () => ({}) })).toEqual([]);
  });
  it('connectorPluginProblems names every problem', () => {
    expect(connectorPluginProblems(null)).toEqual(['plugin is not an object']);
    expect(connectorPluginProblems('x')).toEqual(['plugin is not an object']);
    expect(connectorPluginProblems({ ...plugin, apiVersion: 2, channel: '', create: undefined, policy: null, fake: 'no' })).toEqual([
      'apiVersion must be 1, got 2', 'channel must be a non-empty string', 'create must be a function', 'policy must be an object', 'fake must be a function when present',
    ]);
  });
  it('connectorPluginProblems checks declared credential headers and query parameters by shape', () => {
    expect(connectorPluginProblems({ ...plugin, credentialHeaders: ['x-secret'], credentialQuery: ['token'] })).toEqual([]);
    expect(connectorPluginProblems({ ...plugin, credentialHeaders: 'x-secret', credentialQuery: [''] })).toEqual([
      'credentialHeaders must be an array of non-empty strings when present', 'credentialQuery must be an array of non-empty strings when present',
    ]);
  });
  it('connectorPluginProblems checks the declared media support by shape', () => {
    for (const media of [{}, { download: true }, { download: false, upload: 'bytes' }, { upload: 'url' }]) expect(connectorPluginProblems({ ...plugin, media })).toEqual([]);
    expect(connectorPluginProblems({ ...plugin, media: null })).toEqual(['media must be an object when present']);
    expect(connectorPluginProblems({ ...plugin, media: 'bytes' })).toEqual(['media must be an object when present']);
    expect(connectorPluginProblems({ ...plugin, media: { download: 'yes', upload: 'ftp' } })).toEqual([
      'media.download must be a boolean when present', "media.upload must be 'bytes' or 'url' when present",
    ]);
  });
  it('addressKey and connectorOptionsToken are stable', () => {
    expect(addressKey({ channel: 'whatsapp', accountId: '1065', userId: '4915112345678' })).toBe('whatsapp:1065:4915112345678');
    expect(connectorOptionsToken('telegram')).toBe(Symbol.for('switchboard.telegram.options'));
  });
  it('ManualClock moves by hand; the system clock follows the wall', () => {
    const c = new ManualClock(new Date('2026-03-10T12:00:00Z'));
    c.advance(1500);
    expect(c.now()).toBe(Date.parse('2026-03-10T12:00:01.500Z'));
    c.set(5);
    expect(c.now()).toBe(5);
    expect(new ManualClock().now()).toBe(0);
    expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(1000);
    expect(() => silentLogger.info({ a: 1 }, 'quiet')).not.toThrow();
  });
});
