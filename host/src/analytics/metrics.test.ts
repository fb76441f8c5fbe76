import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics.js';

describe('Prometheus exposition', () => {
  it('writes HELP, TYPE and samples with sorted, escaped labels; histograms cumulative with +Inf, sum and count', async () => {
    const r = new MetricsRegistry();
    const c = r.counter('sb_things_total', 'Things.\nCounted \\ here.', ['tenant', 'channel']);
    c.inc({ tenant: 't"1', channel: 'wa\\x' });
    c.inc({ channel: 'wa\\x', tenant: 't"1' }, 2);
    const h = r.histogram('sb_latency_seconds', 'Latency.', ['channel'], [0.1, 1]);
    h.observe({ channel: 'tg' }, 0.05);
    h.observe({ channel: 'tg' }, 0.5);
    h.observe({ channel: 'tg' }, 7);
    r.gauge('sb_outbox_entries', 'Outbox.', ['status'], async () => [{ labels: { status: 'pending' }, value: 3 }]);
    expect(await r.render()).toBe([
      '# HELP sb_things_total Things.\\nCounted \\\\ here.',
      '# TYPE sb_things_total counter',
      'sb_things_total{channel="wa\\\\x",tenant="t\\"1"} 3',
      '# HELP sb_latency_seconds Latency.',
      '# TYPE sb_latency_seconds histogram',
      'sb_latency_seconds_bucket{channel="tg",le="0.1"} 1',
      'sb_latency_seconds_bucket{channel="tg",le="1"} 2',
      'sb_latency_seconds_bucket{channel="tg",le="+Inf"} 3',
      'sb_latency_seconds_sum{channel="tg"} 7.55',
      'sb_latency_seconds_count{channel="tg"} 3',
      '# HELP sb_outbox_entries Outbox.',
      '# TYPE sb_outbox_entries gauge',
      'sb_outbox_entries{status="pending"} 3',
      '',
    ].join('\n'));
  });

  it('refuses wrong labels, falling counters, bad names and duplicate metrics', () => {
    const r = new MetricsRegistry();
    const c = r.counter('ok_total', 'x', ['a']);
    expect(() => c.inc({ b: '1' })).toThrow(/takes labels a/);
    expect(() => c.inc({ a: '1' }, -1)).toThrow(/only go up/);
    expect(() => r.counter('ok_total', 'x')).toThrow(/already registered/);
    expect(() => r.counter('bad-name', 'x')).toThrow(/bad metric name/);
    expect(() => r.histogram('h', 'x', ['le'], [1])).toThrow(/bad label name/);
    expect(() => r.histogram('h2', 'x', [], [2, 1])).toThrow(/ascend/);
  });

  it('rounds sums of decimal amounts', async () => {
    const r = new MetricsRegistry();
    const c = r.counter('cost_total', 'x');
    for (let i = 0; i < 3; i++) c.inc({}, 0.1);
    expect(await r.render()).toContain('cost_total 0.3\n');
  });
});
