import { ManualClock } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import type { Agent } from './agent-store.js';
import { DEFAULT_DEVICE_LIFETIME_MS, DeviceCookies } from './device-cookie.js';

const agent = (over: Partial<Agent> = {}): Agent => ({
  id: 'a1', tenantId: 'shop', email: 'ana@shop.io', name: 'Ana', role: 'agent',
  passwordHash: 'scrypt$4096$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=',
  createdAt: new Date(0), updatedAt: new Date(0), ...over,
});

describe('device cookies', () => {
  it('name the device for the agent it was issued to, and for nobody else', () => {
    const devices = new DeviceCookies(new ManualClock(1_000));
    const cookie = devices.issue(agent());
    expect(devices.verify(cookie, agent())).toMatch(/^shop\/a1\/[A-Za-z0-9_-]{16}$/);
    expect(devices.verify(cookie, agent({ id: 'a2' }))).toBeUndefined();
    expect(devices.verify(cookie, agent({ tenantId: 'other' }))).toBeUndefined();
    expect(devices.verify(cookie, undefined)).toBeUndefined();
    expect(devices.issue(agent())).not.toBe(cookie);
  });

  it('stop working when the password changes, when they expire, and when anything is altered', () => {
    const clock = new ManualClock(1_000);
    const devices = new DeviceCookies(clock);
    const cookie = devices.issue(agent());
    expect(devices.verify(cookie, agent({ passwordHash: agent().passwordHash.replace('aGFz', 'aGFx') }))).toBeUndefined();
    const [v, at, nonce, mac] = cookie.split('.');
    expect(devices.verify([v, Number(at) + 1, nonce, mac].join('.'), agent())).toBeUndefined();
    expect(devices.verify([v, at, nonce, `${mac!.slice(0, -2)}AA`].join('.'), agent())).toBeUndefined();
    expect(devices.verify('v1.x.y.z', agent())).toBeUndefined();
    expect(devices.verify('x'.repeat(10_000), agent())).toBeUndefined();
    clock.advance(DEFAULT_DEVICE_LIFETIME_MS - 1);
    expect(devices.verify(cookie, agent())).toBeDefined();
    clock.advance(1);
    expect(devices.verify(cookie, agent())).toBeUndefined();
  });

  it('outlive the process (nothing stored), unless a secret is mixed in that differs', () => {
    const clock = new ManualClock(1_000);
    const cookie = new DeviceCookies(clock).issue(agent());
    expect(new DeviceCookies(clock).verify(cookie, agent())).toBeDefined();
    const secret = new DeviceCookies(clock, { secret: 'one secret of the host' }).issue(agent());
    expect(new DeviceCookies(clock, { secret: 'another secret' }).verify(secret, agent())).toBeUndefined();
    expect(new DeviceCookies(clock).verify(secret, agent())).toBeUndefined();
  });
});
