import { ManualClock } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOGIN_LIMITS, LoginLimiter, type LoginDecision, type LoginSubject } from './login-limiter.js';

const stranger = (address = '1.1.1.1', account = 't/a@x'): LoginSubject => ({ kind: 'unknown-device', account, address });
const known = (device = 't/agent-1/nonce'): LoginSubject => ({ kind: 'known-device', device });

function fail(l: LoginLimiter, subject: LoginSubject): LoginDecision {
  const d = l.begin(subject);
  if (d.allowed) d.attempt.failed();
  return d;
}

describe('login limiter', () => {
  it('counts the attempt when it begins: a second attempt for the account while one is checked is refused as busy', () => {
    const l = new LoginLimiter(new ManualClock(0));
    const first = l.begin(stranger());
    expect(first.allowed).toBe(true);
    expect(l.begin(stranger('2.2.2.2'))).toEqual({ allowed: false, reason: 'busy', retryAfterMs: 1_000 });
    if (first.allowed) first.attempt.failed();
    expect(l.begin(stranger('2.2.2.2')).allowed).toBe(true);
  });

  it('lets 3 failures of an account through at once, then asks 1 s, 2 s, 4 s … up to 5 min: a delay, never a lock-out', () => {
    const clock = new ManualClock(0);
    const l = new LoginLimiter(clock);
    for (let i = 0; i < 3; i++) expect(fail(l, stranger(`10.0.0.${i}`)).allowed).toBe(true);
    const waits: number[] = [];
    for (let i = 0; i < 12; i++) {
      const d = l.begin(stranger(`10.0.1.${i}`));
      expect(d.allowed).toBe(false);
      if (d.allowed) return;
      waits.push(d.retryAfterMs);
      clock.advance(d.retryAfterMs);
      expect(fail(l, stranger(`10.0.1.${i}`)).allowed).toBe(true);
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000]);
  });

  it('slows one address trying many accounts after 10 failures, and limits its logins in flight to 4', () => {
    const l = new LoginLimiter(new ManualClock(0));
    for (let i = 0; i < 10; i++) expect(fail(l, stranger('6.6.6.6', `t/u${i}@x`)).allowed).toBe(true);
    expect(l.begin(stranger('6.6.6.6', 't/fresh@x'))).toMatchObject({ allowed: false, reason: 'slowed', retryAfterMs: 1_000 });
    const m = new LoginLimiter(new ManualClock(0));
    const open = Array.from({ length: 4 }, (_, i) => m.begin(stranger('7.7.7.7', `t/v${i}@x`)));
    expect(open.every((d) => d.allowed)).toBe(true);
    expect(m.begin(stranger('7.7.7.7', 't/v9@x'))).toMatchObject({ allowed: false, reason: 'busy' });
  });

  it('takes a success back: the account starts afresh, the address loses only this attempt', () => {
    const l = new LoginLimiter(new ManualClock(0), { addressFreeFailures: 3 });
    fail(l, stranger('1.1.1.1', 't/a@x'));
    fail(l, stranger('1.1.1.1', 't/b@x'));
    const ok = l.begin(stranger('1.1.1.1', 't/a@x'));
    if (ok.allowed) ok.attempt.succeeded();
    // the address has 2 failures (b's and a's first), one free attempt left
    expect(fail(l, stranger('1.1.1.1', 't/c@x')).allowed).toBe(true);
    expect(l.begin(stranger('1.1.1.1', 't/d@x'))).toMatchObject({ allowed: false, reason: 'slowed' });
    // a's failures were cleared: from another address it has its 3 free attempts
    for (let i = 0; i < 3; i++) expect(fail(l, stranger('2.2.2.2', 't/a@x')).allowed).toBe(true);
  });

  it('does not slow a known device for the failures of others, and slows it for its own', () => {
    const clock = new ManualClock(0);
    const l = new LoginLimiter(clock);
    for (let i = 0; i < 40; i++) { fail(l, stranger(`9.9.${i}.1`)); clock.advance(1_000); }
    expect(l.begin(stranger('8.8.8.8')).allowed).toBe(false);
    const d = l.begin(known());
    expect(d.allowed).toBe(true);
    if (d.allowed) d.attempt.failed();
    fail(l, known());
    fail(l, known());
    expect(l.begin(known())).toMatchObject({ allowed: false, reason: 'slowed', retryAfterMs: 1_000 });
    expect(l.begin(known('t/agent-1/other')).allowed).toBe(true);
  });

  it('forgets failures an hour after the last one', () => {
    const clock = new ManualClock(0);
    const l = new LoginLimiter(clock);
    for (let i = 0; i < 3; i++) fail(l, stranger());
    expect(l.begin(stranger()).allowed).toBe(false);
    clock.advance(DEFAULT_LOGIN_LIMITS.forgetMs);
    for (let i = 0; i < 3; i++) expect(fail(l, stranger()).allowed).toBe(true);
  });

  it('answers 503-worthy "overloaded" past the global cap of logins in flight, for unknown devices only', () => {
    const l = new LoginLimiter(new ManualClock(0), { maxConcurrent: 2 });
    expect(l.begin(stranger('1.1.1.1', 't/a@x')).allowed).toBe(true);
    expect(l.begin(stranger('2.2.2.2', 't/b@x')).allowed).toBe(true);
    expect(l.begin(stranger('3.3.3.3', 't/c@x'))).toMatchObject({ allowed: false, reason: 'overloaded' });
    expect(l.begin(known()).allowed).toBe(true);
  });

  it('settles an attempt once however often it is settled', () => {
    const l = new LoginLimiter(new ManualClock(0));
    const d = l.begin(stranger());
    if (!d.allowed) throw new Error('refused');
    d.attempt.failed();
    d.attempt.failed();
    d.attempt.succeeded();
    expect(fail(l, stranger()).allowed).toBe(true);
    expect(fail(l, stranger()).allowed).toBe(true);
    expect(l.begin(stranger()).allowed).toBe(false);
  });

  it('remembers at most maxKeys keys, never one with an attempt in flight', () => {
    const l = new LoginLimiter(new ManualClock(0), { maxKeys: 100, addressFreeFailures: 100_000 });
    const held = l.begin(stranger('5.5.5.5', 't/held@x'));
    for (let i = 0; i < 1_000; i++) fail(l, stranger('4.4.4.4', `t/u${i}@x`));
    expect(l.size).toBeLessThanOrEqual(100);
    expect(l.begin(stranger('6.6.6.6', 't/held@x'))).toMatchObject({ allowed: false, reason: 'busy' });
    if (held.allowed) held.attempt.failed();
  });

  it('refuses limits that contradict each other', () => {
    expect(() => new LoginLimiter(new ManualClock(0), { forgetMs: 60_000, maxDelayMs: 300_000 })).toThrow(/forgetMs/);
    expect(() => new LoginLimiter(new ManualClock(0), { maxConcurrent: 0 })).toThrow(RangeError);
    expect(() => new LoginLimiter(new ManualClock(0), { baseDelayMs: 1.5 })).toThrow(RangeError);
  });
});
