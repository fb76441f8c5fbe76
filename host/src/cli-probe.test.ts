/** `probeAccount`: the time limit on a connector's probe, on an injected timer (no real race). */
import type { AccountProbe, AccountProbeOptions, Connector } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROBE_TIMEOUT_MS, probeAccount } from './cli.js';

/** A connector whose probe answers when the test says so, and records the signal it was given. */
function pendingProbe(): { connector: Connector; signals: AbortSignal[]; answer(probe: AccountProbe): void } {
  const signals: AbortSignal[] = [];
  let resolve: (p: AccountProbe) => void = () => {};
  const connector = {
    channel: 'acme',
    probe: (options?: AccountProbeOptions) => {
      signals.push(options!.signal!);
      return new Promise<AccountProbe>((r) => { resolve = r; });
    },
  } as unknown as Connector;
  return { connector, signals, answer: (p) => resolve(p) };
}

describe('probeAccount', () => {
  it('aborts the probe\'s signal and fails with the limit when the timer fires first', async () => {
    const { connector, signals } = pendingProbe();
    const timers: { ms: number; fire(): void }[] = [];
    const result = probeAccount(connector, { probeTimeoutMs: 1234, startTimer: (ms, fire) => { timers.push({ ms, fire }); return () => {}; } });
    expect(timers.map((t) => t.ms)).toEqual([1234]);
    expect(signals[0]!.aborted).toBe(false);
    timers[0]!.fire();
    await expect(result).rejects.toThrow('no answer within 1234 ms');
    expect(signals[0]!.aborted).toBe(true);
  });

  it('returns the answer and cancels the timer when the probe answers in time; the default limit is 10 s', async () => {
    const { connector, answer } = pendingProbe();
    let cancelled = 0;
    const limits: number[] = [];
    const result = probeAccount(connector, { startTimer: (ms) => { limits.push(ms); return () => { cancelled++; }; } });
    answer({ name: 'Acme bot', id: '42' });
    await expect(result).resolves.toEqual({ name: 'Acme bot', id: '42' });
    expect(limits).toEqual([DEFAULT_PROBE_TIMEOUT_MS]);
    expect(DEFAULT_PROBE_TIMEOUT_MS).toBe(10_000);
    expect(cancelled).toBe(1);
  });
});
