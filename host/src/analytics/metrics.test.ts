import { describe, expect, it } from 'vitest';
import { register } from 'prom-client';
import { MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from './metrics.js';

describe('Prometheus exposition', () => {
  it('writes HELP, TYPE and samples with sorted, escaped labels; histograms cumulative with +Inf, sum and count (prom-client format: le first, a blank line between families)', async () => {
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
      '',
      '# HELP sb_latency_seconds Latency.',
      '# TYPE sb_latency_seconds histogram',
      'sb_latency_seconds_bucket{le="0.1",channel="tg"} 1',
      'sb_latency_seconds_bucket{le="1",channel="tg"} 2',
      'sb_latency_seconds_bucket{le="+Inf",channel="tg"} 3',
      'sb_latency_seconds_sum{channel="tg"} 7.55',
      'sb_latency_seconds_count{channel="tg"} 3',
      '',
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

  it('reads collected gauges afresh at every scrape: a tenant gone since the last one is not reported again', async () => {
    const r = new MetricsRegistry();
    let rows = [{ labels: { tenant: 'a' }, value: 1 }, { labels: { tenant: 'b' }, value: 2 }];
    r.gauge('sb_media_bytes', 'Bytes.', ['tenant'], async () => rows);
    r.collectedCounter('sb_dropped_total', 'Dropped.', ['tenant'], async () => rows);
    const first = await r.render();
    expect(first).toContain('sb_media_bytes{tenant="b"} 2\n');
    expect(first).toContain('sb_dropped_total{tenant="b"} 2\n');
    rows = [{ labels: { tenant: 'a' }, value: 5 }];
    const second = await r.render();
    expect(second).toContain('sb_media_bytes{tenant="a"} 5\n');
    expect(second).toContain('sb_dropped_total{tenant="a"} 5\n');
    expect(second).not.toContain('tenant="b"');
  });

  it('refuses collected samples with the wrong labels at scrape time', async () => {
    const r = new MetricsRegistry();
    r.gauge('sb_g', 'x', ['tenant'], async () => [{ labels: { other: 'a' }, value: 1 }]);
    await expect(r.render()).rejects.toThrow(/takes labels tenant/);
  });

  it('adds the default process and runtime metrics on a registry of its own: two registries in one process do not collide', async () => {
    const a = new MetricsRegistry({ defaultMetrics: true });
    const b = new MetricsRegistry({ defaultMetrics: true });
    a.counter('sb_only_a_total', 'x').inc();
    const [ta, tb] = [await a.render(), await b.render()];
    for (const text of [ta, tb]) {
      expect(text).toMatch(/^# TYPE process_cpu_user_seconds_total counter$/m);
      expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
      expect(text).toMatch(/^# TYPE nodejs_eventloop_lag_seconds gauge$/m);
      expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
    }
    expect(ta).toContain('sb_only_a_total 1\n');
    expect(tb).not.toContain('sb_only_a_total');
    // nothing lands on prom-client's global registry
    expect(await register.metrics()).not.toContain('sb_only_a_total');
    expect(new MetricsRegistry().registry.getMetricsAsArray()).toEqual([]);
  });

  it('keeps a counter\'s value readable at once, and exposes the content type Prometheus expects', () => {
    const r = new MetricsRegistry();
    const c = r.counter('sb_c_total', 'x', ['tenant']);
    c.inc({ tenant: 'a' }, 0.1);
    c.inc({ tenant: 'a' }, 0.2);
    expect(c.get({ tenant: 'a' })).toBe(0.3);
    expect(c.get({ tenant: 'b' })).toBe(0);
    expect(PROMETHEUS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
  });
});
