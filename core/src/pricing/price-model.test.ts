import { describe, expect, it } from 'vitest';
import { priceFor, type PriceSchedule } from '../index.js';

const schedule: PriceSchedule = {
  currency: 'EUR',
  source: 'test',
  entries: [
    { category: 'marketing', amount: 0.0733, from: '2019-01-01' },
    { category: 'marketing', amount: 0.1131, from: '2025-07-01' },
    { category: 'marketing', amount: 0.0250, from: '2025-07-01', market: 'IN' },
    { category: 'marketing', amount: 0.0300, from: '2026-10-01', market: 'IN' },
    { category: 'utility', amount: 0.0456, from: '2025-07-01', freeInServiceWindow: true },
    { category: 'utility', amount: 0.0500, from: '2026-10-01' },
    { category: 'business-initiated', amount: 0.0085, from: '2024-02-05' },
  ],
};
const q = (category: Parameters<typeof priceFor>[1]['category'], date: string, extra: Partial<Parameters<typeof priceFor>[1]> = {}) =>
  priceFor(schedule, { category, at: new Date(date), inServiceSession: false, ...extra });

describe('priceFor', () => {
  it('applies the rate in force at the time of sending (effective dates, inclusive)', () => {
    expect(q('marketing', '2024-01-01')).toEqual({ amount: 0.0733, currency: 'EUR', category: 'marketing', rateFrom: '2019-01-01' });
    expect(q('marketing', '2025-06-30T23:59:59Z').amount).toBe(0.0733);
    expect(q('marketing', '2025-07-01T00:00:00Z')).toEqual({ amount: 0.1131, currency: 'EUR', category: 'marketing', rateFrom: '2025-07-01' });
    expect(priceFor(schedule, { category: 'utility', at: Date.parse('2026-11-01'), inServiceSession: false }).amount).toBe(0.05);
  });
  it('nothing before the first rate is free', () => {
    expect(q('marketing', '2018-06-01')).toEqual({ amount: 0, currency: 'EUR', category: 'marketing' });
  });
  it('a market-specific rate beats the default; other markets get the default', () => {
    expect(q('marketing', '2025-08-01', { market: 'IN' }).amount).toBe(0.025);
    expect(q('marketing', '2026-10-02', { market: 'IN' })).toMatchObject({ amount: 0.03, rateFrom: '2026-10-01' });
    expect(q('marketing', '2025-08-01', { market: 'DE' }).amount).toBe(0.1131);
    expect(q('marketing', '2025-08-01').amount).toBe(0.1131);
    // before any market rate the default applies to that market too
    expect(q('marketing', '2024-01-01', { market: 'IN' }).amount).toBe(0.0733);
  });
  it('free in the service window where the rate says so', () => {
    expect(q('utility', '2025-08-01', { inServiceSession: true })).toEqual({ amount: 0, currency: 'EUR', category: 'utility', rateFrom: '2025-07-01' });
    expect(q('utility', '2025-08-01').amount).toBe(0.0456);
    // the 2026-10-01 rate drops the exemption
    expect(q('utility', '2026-10-02', { inServiceSession: true }).amount).toBe(0.05);
    expect(q('marketing', '2025-08-01', { inServiceSession: true }).amount).toBe(0.1131);
  });
  it('service messages are free; a category without a rate is free; no schedule means a free channel', () => {
    expect(q('service', '2025-08-01')).toEqual({ amount: 0, currency: 'EUR', category: 'service' });
    expect(q('authentication', '2025-08-01').amount).toBe(0);
    expect(priceFor(undefined, { category: 'marketing', at: 0, inServiceSession: false })).toEqual({ amount: 0, currency: 'EUR', category: 'marketing' });
    expect(q('business-initiated', '2025-01-01').amount).toBe(0.0085);
  });
});
