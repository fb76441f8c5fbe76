import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advanceStatus, canTransition, isFinalStatus, type DeliveryStatus, type ReceiptStatus } from '../index.js';

const ORDER: DeliveryStatus[] = ['accepted', 'queued', 'sent', 'delivered', 'read'];

describe('delivery status state machine', () => {
  it('moves forward: sent < delivered < read', () => {
    expect(advanceStatus('sent', 'delivered')).toBe('delivered');
    expect(advanceStatus('delivered', 'read')).toBe('read');
    expect(advanceStatus('accepted', 'read')).toBe('read');
  });
  it('a late delivered after read changes nothing', () => {
    expect(advanceStatus('read', 'delivered')).toBe('read');
    expect(advanceStatus('read', 'sent')).toBe('read');
    expect(canTransition('read', 'delivered')).toBe(false);
  });
  it('never moves backwards or repeats', () => {
    for (const [i, from] of ORDER.entries()) for (const [j, to] of ORDER.entries()) expect(canTransition(from, to)).toBe(j > i);
  });
  it('failed is final', () => {
    for (const s of [...ORDER, 'failed'] as DeliveryStatus[]) expect(advanceStatus('failed', s)).toBe('failed');
    expect(isFinalStatus('failed')).toBe(true);
  });
  it('failed replaces anything but read', () => {
    for (const s of ['accepted', 'queued', 'sent', 'delivered'] as DeliveryStatus[]) expect(advanceStatus(s, 'failed')).toBe('failed');
    expect(advanceStatus('read', 'failed')).toBe('read');
  });
  it('read and failed are final; the others are not', () => {
    expect(ORDER.filter(isFinalStatus)).toEqual(['read']);
  });
});

const RANK: Record<DeliveryStatus, number> = { accepted: 0, queued: 1, sent: 2, delivered: 3, read: 4, failed: 5 };
const maxByRank = (start: DeliveryStatus, receipts: ReceiptStatus[]): DeliveryStatus =>
  receipts.reduce<DeliveryStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), start);

describe('delivery status (property)', () => {
  const receipt = fc.constantFrom<ReceiptStatus>('sent', 'delivered', 'read', 'failed');
  const success = fc.constantFrom<ReceiptStatus>('sent', 'delivered', 'read');
  const start = fc.constantFrom<DeliveryStatus>('accepted', 'queued', 'sent');
  const shuffle = <T>(xs: T[], key: (i: number) => number): T[] => xs.map((x, i) => ({ x, k: key(i) })).sort((a, b) => a.k - b.k).map((p) => p.x);

  it('success receipts applied in any order end in the max by rank', () => {
    fc.assert(fc.property(start, fc.array(success, { maxLength: 12 }), fc.func(fc.integer()), (s, receipts, key) => {
      expect(receipts.reduce(advanceStatus, s)).toBe(maxByRank(s, receipts));
      expect(shuffle(receipts, key).reduce(advanceStatus, s)).toBe(maxByRank(s, receipts));
    }), { numRuns: 500 });
  });
  it('with failures, in any order: failed is final unless read arrived before the first failure', () => {
    fc.assert(fc.property(start, fc.array(receipt, { maxLength: 12 }), fc.func(fc.integer()), (s, receipts, key) => {
      for (const order of [receipts, shuffle(receipts, key)]) {
        const firstFailure = order.indexOf('failed');
        const readFirst = order.indexOf('read') !== -1 && (firstFailure === -1 || order.indexOf('read') < firstFailure);
        const want = readFirst ? 'read' : firstFailure !== -1 ? 'failed' : maxByRank(s, order);
        expect(order.reduce(advanceStatus, s)).toBe(want);
      }
    }), { numRuns: 500 });
  });
  it('the stored status never goes back in rank', () => {
    fc.assert(fc.property(start, fc.array(receipt, { maxLength: 12 }), (s, receipts) => {
      let cur = s;
      for (const r of receipts) {
        const next = advanceStatus(cur, r);
        expect(RANK[next]).toBeGreaterThanOrEqual(RANK[cur]);
        cur = next;
      }
    }));
  });
});
