import { describe, expect, it } from 'vitest';
import { ManualClock, PermanentError, silentLogger, type Connector, type Contact, type Conversation, type PlatformProfile } from '@switchboard/core';
import type { ConnectorRegistry } from '../plugins/connector-registry.js';
import { MemoryDriver } from '../stores/drivers/memory-driver.js';
import { createHostStores } from '../stores/host-stores.js';
import { createHostStreams } from '../streams.js';
import { ProfileLookups } from './profile-lookups.js';

const HOUR = 3_600_000;

/** A host world with one connector whose `lookupProfile` answers what the test scripts. */
async function world(answer: (userId: string) => Promise<PlatformProfile | undefined>, lookup = true) {
  const clock = new ManualClock(Date.parse('2026-12-06T10:00:00Z'));
  const stores = createHostStores(new MemoryDriver());
  const calls: string[] = [];
  const connector = { channel: 'messenger', ...(lookup ? { lookupProfile: (u: string) => { calls.push(u); return answer(u); } } : {}) } as unknown as Connector;
  const registry = { find: (_t: string, channel: string) => (channel === 'messenger' ? { connector } : undefined) } as unknown as ConnectorRegistry;
  const streams = createHostStreams();
  const updated: string[] = [];
  streams.conversation$.subscribe((n) => updated.push(`${n.change}:${n.conversation.id}`));
  const lookups = new ProfileLookups({ registry, stores, streams, clock, logger: silentLogger });
  const address = { channel: 'messenger', accountId: 'page-1', userId: '7001' };
  const { contact } = await stores.contacts.findOrCreateByAddress('t1', address, (): Contact => ({
    id: 'c1', tenantId: 't1', addresses: [address], profile: {}, createdAt: new Date(clock.now()), updatedAt: new Date(clock.now()),
  }));
  const conversation = { id: 'conv-1', tenantId: 't1', contactId: 'c1' } as unknown as Conversation;
  const ask = (c: Contact = contact) => lookups.request('t1', 'messenger', 'main', '7001', c, conversation);
  const name = async () => (await stores.contacts.get('t1', 'c1'))!.profile.name;
  return { clock, stores, calls, contact, ask, name, updated };
}

describe('ProfileLookups', () => {
  it('names an unnamed contact from the platform\'s profile, once', async () => {
    const w = await world(async () => ({ name: 'Ada Lovelace' }));
    expect(await w.ask()).toBe('named');
    expect(await w.name()).toBe('Ada Lovelace');
    // the console's inbox reloads on it and shows the name at once
    expect(w.updated).toEqual(['updated:conv-1']);
    const named = (await w.stores.contacts.get('t1', 'c1'))!;
    expect(await w.ask(named)).toBe('skipped');
    expect(w.calls).toEqual(['7001']);
  });

  it('asks once at a time per contact: a burst of messages makes one lookup', async () => {
    let release!: (p: PlatformProfile) => void;
    const w = await world(() => new Promise((r) => { release = r; }));
    const first = w.ask();
    expect(await w.ask()).toBe('skipped');
    expect(await w.ask()).toBe('skipped');
    release({ name: 'Grace Hopper' });
    expect(await first).toBe('named');
    expect(w.calls).toHaveLength(1);
  });

  it('never replaces a name someone set while the platform answered', async () => {
    let release!: (p: PlatformProfile) => void;
    const w = await world(() => new Promise((r) => { release = r; }));
    const pending = w.ask();
    await w.stores.contacts.update('t1', 'c1', { profile: { name: 'Mrs. Hopper (VIP)' }, updatedAt: new Date(w.clock.now()) });
    release({ name: 'Grace Hopper' });
    expect(await pending).toBe('named');
    expect(await w.name()).toBe('Mrs. Hopper (VIP)');
  });

  it('after a miss waits a day, after a failure a quarter of an hour (host clock), then asks again', async () => {
    let mode: 'miss' | 'fail' = 'miss';
    const w = await world(async () => { if (mode === 'fail') throw new PermanentError('bad token'); return undefined; });
    expect(await w.ask()).toBe('no-profile');
    w.clock.advance(23 * HOUR);
    expect(await w.ask()).toBe('skipped');
    w.clock.advance(HOUR);
    mode = 'fail';
    expect(await w.ask()).toBe('failed');
    w.clock.advance(14 * 60_000);
    expect(await w.ask()).toBe('skipped');
    w.clock.advance(60_000);
    expect(await w.ask()).toBe('failed');
    expect(w.calls).toHaveLength(3);
    expect(await w.name()).toBeUndefined();
    expect(w.updated).toEqual([]);
  });

  it('does nothing for a connector without lookupProfile or a contact with a name', async () => {
    const w = await world(async () => ({ name: 'x' }), false);
    expect(await w.ask()).toBe('skipped');
    expect(await w.ask({ ...w.contact, profile: { name: 'Known' } })).toBe('skipped');
    expect(w.calls).toEqual([]);
  });
});
