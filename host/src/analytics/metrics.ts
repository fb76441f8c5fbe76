/**
 * A small metrics registry with the Prometheus text exposition format (version 0.0.4), written by
 * hand: counters, histograms, and gauges read at scrape time.
 * @module
 */

/** Label names to values. */
export type Labels = Readonly<Record<string, string>>;

/** The content type of the exposition. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Escapes a label value: backslash, double quote and line feed. */
const escapeValue = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
/** Escapes HELP text: backslash and line feed. */
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** Formats a sample value as Prometheus does (`+Inf`, `-Inf`, `NaN`). */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  // sums of decimal amounts drift in binary (0.1131 + 0.0456 …): 9 decimals are plenty for a metric
  return String(Number.isInteger(v) ? v : Math.round(v * 1e9) / 1e9);
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (extra) pairs.push(extra);
  return pairs.length === 0 ? '' : `{${pairs.map(([k, v]) => `${k}="${escapeValue(v)}"`).join(',')}}`;
}

const keyOf = (labels: Labels): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

abstract class Metric {
  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[]) {
    if (!NAME.test(name)) throw new Error(`bad metric name ${name}`);
    for (const l of labelNames) if (!LABEL.test(l) || l.startsWith('__') || l === 'le') throw new Error(`bad label name ${l}`);
  }

  protected check(labels: Labels): void {
    const names = Object.keys(labels);
    if (names.length !== this.labelNames.length || names.some((n) => !this.labelNames.includes(n))) {
      throw new Error(`${this.name} takes labels ${this.labelNames.join(', ')}, got ${names.join(', ')}`);
    }
  }

  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  abstract lines(): string[];
}

/** A counter: only goes up. */
export class Counter extends Metric {
  readonly type = 'counter' as const;
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  /**
   * Adds to the counter.
   * @param labels - one value per label name
   * @param by - a non-negative amount (default 1)
   */
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`${this.name} can only go up`);
    this.check(labels);
    const key = keyOf(labels);
    const row = this.values.get(key) ?? { labels: { ...labels }, value: 0 };
    row.value += by;
    this.values.set(key, row);
  }

  /** @returns the current value for the labels */
  get(labels: Labels = {}): number {
    return this.values.get(keyOf(labels))?.value ?? 0;
  }

  lines(): string[] {
    return [...this.values.values()].map((r) => `${this.name}${labelText(r.labels)} ${formatValue(r.value)}`);
  }
}

/** A histogram with fixed buckets. */
export class Histogram extends Metric {
  readonly type = 'histogram' as const;
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  readonly buckets: readonly number[];

  /**
   * @param name - the metric name
   * @param help - its HELP text
   * @param labelNames - its labels
   * @param buckets - upper bounds, ascending (`+Inf` is added)
   */
  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    const sorted = [...buckets].sort((a, b) => a - b);
    if (sorted.some((b, i) => b !== buckets[i]) || new Set(buckets).size !== buckets.length) throw new Error(`${name}: buckets must ascend strictly`);
    this.buckets = buckets.filter((b) => b !== Infinity);
  }

  /**
   * Records an observation.
   * @param labels - one value per label name
   * @param value - the observed value
   */
  observe(labels: Labels, value: number): void {
    this.check(labels);
    const key = keyOf(labels);
    const row = this.series.get(key) ?? { labels: { ...labels }, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    this.buckets.forEach((b, i) => { if (value <= b) row.counts[i]!++; });
    row.sum += value;
    row.count++;
    this.series.set(key, row);
  }

  lines(): string[] {
    const out: string[] = [];
    for (const r of this.series.values()) {
      // bucket counts are cumulative by construction: each observation counted in every bucket it fits
      this.buckets.forEach((b, i) => out.push(`${this.name}_bucket${labelText(r.labels, ['le', formatValue(b)])} ${r.counts[i]}`));
      out.push(`${this.name}_bucket${labelText(r.labels, ['le', '+Inf'])} ${r.count}`);
      out.push(`${this.name}_sum${labelText(r.labels)} ${formatValue(r.sum)}`);
      out.push(`${this.name}_count${labelText(r.labels)} ${r.count}`);
    }
    return out;
  }
}

/** A metric whose samples are read when scraped, from values kept elsewhere. */
abstract class CollectedMetric extends Metric {
  private samples: { labels: Labels; value: number }[] = [];

  /**
   * @param name - the metric name
   * @param help - its HELP text
   * @param labelNames - its labels
   * @param collect - reads the current samples
   */
  constructor(name: string, help: string, labelNames: readonly string[], private readonly collect: () => Promise<{ labels: Labels; value: number }[]>) {
    super(name, help, labelNames);
  }

  /** Reads the samples (before `lines()`). */
  async refresh(): Promise<void> {
    const samples = await this.collect();
    for (const s of samples) this.check(s.labels);
    this.samples = samples;
  }

  lines(): string[] {
    return this.samples.map((s) => `${this.name}${labelText(s.labels)} ${formatValue(s.value)}`);
  }
}

/** A gauge whose samples are read when scraped. */
export class CollectedGauge extends CollectedMetric {
  readonly type = 'gauge' as const;
}

/**
 * A counter whose samples are read when scraped, from a total kept elsewhere (which only goes up):
 * for counts a component keeps itself, such as the event streams' dropped clients (name it `…_total`).
 */
export class CollectedCounter extends CollectedMetric {
  readonly type = 'counter' as const;
}

/** The registry: metrics in registration order. */
export class MetricsRegistry {
  private readonly metrics: Metric[] = [];

  private add<M extends Metric>(metric: M): M {
    if (this.metrics.some((m) => m.name === metric.name)) throw new Error(`metric ${metric.name} is already registered`);
    this.metrics.push(metric);
    return metric;
  }

  /** Registers a counter (the name should end in `_total`). */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }

  /** Registers a histogram. */
  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  /** Registers a gauge read at scrape time. */
  gauge(name: string, help: string, labelNames: readonly string[], collect: () => Promise<{ labels: Labels; value: number }[]>): CollectedGauge {
    return this.add(new CollectedGauge(name, help, labelNames, collect));
  }

  /** Registers a counter read at scrape time (the name should end in `_total`). */
  collectedCounter(name: string, help: string, labelNames: readonly string[], collect: () => Promise<{ labels: Labels; value: number }[]>): CollectedCounter {
    return this.add(new CollectedCounter(name, help, labelNames, collect));
  }

  /**
   * The exposition: `# HELP`, `# TYPE` and the samples of each metric, ending in a line feed.
   * @returns the text
   */
  async render(): Promise<string> {
    await Promise.all(this.metrics.map((m) => (m instanceof CollectedMetric ? m.refresh() : undefined)));
    const out: string[] = [];
    for (const m of this.metrics) {
      out.push(`# HELP ${m.name} ${escapeHelp(m.help)}`, `# TYPE ${m.name} ${m.type}`, ...m.lines());
    }
    return `${out.join('\n')}\n`;
  }
}
