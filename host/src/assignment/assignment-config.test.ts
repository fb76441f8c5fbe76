import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHostConfig } from '../config/host-config.js';

const base = (assignment: unknown): unknown => ({
  store: { kind: 'memory' }, tenants: [{ id: 't1', apiKeys: ['key-0123456789abcdef'], assignment }], connectors: [],
});

function problems(assignment: unknown): { field: string; message: string }[] {
  const r = checkHostConfig(base(assignment), { baseDir: '/' });
  return r.ok ? [] : r.problems.map((p) => ({ field: p.field, message: p.message }));
}

describe('tenants[].assignment', () => {
  it('accepts queues with a strategy, hours, an out-of-hours reply and SLA, filling the defaults', () => {
    const r = checkHostConfig(base({ queues: { support: { strategy: 'least-busy', hours: { timeZone: 'europe/berlin', weekly: { mon: ['09:00-17:00'] }, holidays: ['2026-12-25'] }, outOfHoursReply: 'We are closed', sla: { firstResponseMinutes: 15 } } } }), { baseDir: '/' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.tenants[0]!.assignment).toEqual({
      defaultCapacity: 3,
      queues: { support: {
        strategy: 'least-busy', autoAssign: true, outOfHoursReply: 'We are closed',
        hours: { timeZone: 'Europe/Berlin', weekly: { mon: ['09:00-17:00'] }, holidays: ['2026-12-25'] },
        sla: { firstResponseMinutes: 15, dueSoonMinutes: 5 },
      } },
    });
  });

  it('lists every problem with its path, refusing unknown keys', () => {
    expect(problems({ defaultCapacity: 0, queues: { support: { strategy: 'random', hours: { timeZone: 'Mars/Base', weekly: { mon: ['18:00-09:00'], funday: [] }, holidays: ['2026-02-30'] }, sla: { firstResponseMinutes: -1 }, colour: 'red' } } }).map((p) => p.field).sort()).toEqual([
      'tenants[0].assignment.defaultCapacity',
      'tenants[0].assignment.queues.support.colour',
      'tenants[0].assignment.queues.support.hours.holidays[0]',
      'tenants[0].assignment.queues.support.hours.timeZone',
      'tenants[0].assignment.queues.support.hours.weekly.funday',
      'tenants[0].assignment.queues.support.hours.weekly.mon[0]',
      'tenants[0].assignment.queues.support.sla.firstResponseMinutes',
      'tenants[0].assignment.queues.support.strategy',
    ]);
  });

  it('never throws on arbitrary input (property)', () => {
    fc.assert(fc.property(fc.anything(), (a) => { problems({ queues: { q: a } }); problems(a); }), { numRuns: 300 });
  });
});
