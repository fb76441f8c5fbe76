/**
 * The host's metrics over prom-client: counters, histograms, and gauges read at scrape time, on a
 * registry of the host's own (never prom-client's global one, so two hosts in one process keep
 * apart), exposed in the Prometheus text format (version 0.0.4).
 * @module
 */
import * as prom from 'prom-client';

/** Label names to values. */
export type Labels = Readonly<Record<string, string>>;

/** The content type of the exposition. */
export const PROMETHEUS_CONTENT_TYPE: string = prom.Registry.PROMETHEUS_CONTENT_TYPE;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Sums of decimal amounts drift in binary (0.1131 + 0.0456 …): 9 decimals are plenty for a metric. */
const round = (v: number): number => (Number.isInteger(v) ? v : Math.round(v * 1e9) / 1e9);

/** The labels with their names sorted, so the exposition lists them in one order whatever the caller's. */
const sorted = (labels: Labels): Record<string, string> =>
  Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

const keyOf = (labels: Labels): string => JSON.stringify(Object.entries(sorted(labels)));

/** What the wrappers share: the name, the label names, and the strict label check. */
abstract class Metric {
  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[]) {
    if (!NAME.test(name)) throw new Error(`bad metric name ${name}`);
    for (const l of labelNames) if (!LABEL.test(l) || l.startsWith('__') || l === 'le') throw new Error(`bad label name ${l}`);
  }

  /** Refuses labels that are not exactly the metric's label names (prom-client lets some be missing). */
  protected check(labels: Labels): void {
    const names = Object.keys(labels);
    if (names.length !== this.labelNames.length || names.some((n) => !this.labelNames.includes(n))) {
      throw new Error(`${this.name} takes labels ${this.labelNames.join(', ')}, got ${names.join(', ')}`);
    }
  }

  abstract readonly type: 'counter' | 'gauge' | 'histogram';
}

/** A counter: only goes up. */
export class Counter extends Metric {
  readonly type = 'counter' as const;
  private readonly totals = new Map<string, { labels: Record<string, string>; value: number }>();

  /**
   * @param registry - the prom-client registry it is exposed on
   * @param name - the metric name
   * @param help - its HELP text
   * @param labelNames - its labels
   */
  constructor(registry: prom.Registry, name: string, help: string, labelNames: readonly string[]) {
    super(name, help, labelNames);
    const totals = this.totals;
    new prom.Counter({
      name, help, labelNames, registers: [registry],
      // totals are kept here, rounded, and handed over when scraped: sums of decimal amounts stay clean
      collect(this: prom.Counter) {
        this.reset();
        for (const t of totals.values()) this.inc(t.labels, round(t.value));
      },
    });
  }

  /**
   * Adds to the counter.
   * @param labels - one value per label name
   * @param by - a non-negative amount (default 1)
   */
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0) || !Number.isFinite(by)) throw new Error(`${this.name} can only go up`);
    this.check(labels);
    const key = keyOf(labels);
    const row = this.totals.get(key) ?? { labels: sorted(labels), value: 0 };
    row.value += by;
    this.totals.set(key, row);
  }

  /** @returns the current value for the labels */
  get(labels: Labels = {}): number {
    return round(this.totals.get(keyOf(labels))?.value ?? 0);
  }
}

/** A histogram with fixed buckets. */
export class Histogram extends Metric {
  readonly type = 'histogram' as const;
  readonly buckets: readonly number[];
  private readonly histogram: prom.Histogram;

  /**
   * @param registry - the prom-client registry it is exposed on
   * @param name - the metric name
   * @param help - its HELP text
   * @param labelNames - its labels
   * @param buckets - upper bounds, ascending (`+Inf` is added)
   */
  constructor(registry: prom.Registry, name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    const ascending = [...buckets].sort((a, b) => a - b);
    if (ascending.some((b, i) => b !== buckets[i]) || new Set(buckets).size !== buckets.length) throw new Error(`${name}: buckets must ascend strictly`);
    this.buckets = buckets.filter((b) => b !== Infinity);
    this.histogram = new prom.Histogram({ name, help, labelNames, buckets: [...this.buckets], registers: [registry] });
  }

  /**
   * Records an observation.
   * @param labels - one value per label name
   * @param value - the observed value
   */
  observe(labels: Labels, value: number): void {
    this.check(labels);
    this.histogram.observe(sorted(labels), value);
  }
}

/** A sample read at scrape time. */
export interface Sample {
  /** One value per label name. */
  labels: Labels;
  /** The value. */
  value: number;
}

/** A gauge whose samples are read when scraped, from values kept elsewhere. */
export class CollectedGauge extends Metric {
  readonly type = 'gauge' as const;

  /**
   * @param registry - the prom-client registry it is exposed on
   * @param name - the metric name
   * @param help - its HELP text
   * @param labelNames - its labels
   * @param read - reads the current samples
   */
  constructor(registry: prom.Registry, name: string, help: string, labelNames: readonly string[], read: () => Promise<Sample[]>) {
    super(name, help, labelNames);
    const check = (labels: Labels): void => this.check(labels);
    new prom.Gauge({
      name, help, labelNames, registers: [registry],
      // reset first: a tenant (or status) gone since the last scrape is not reported again
      async collect(this: prom.Gauge) {
        const samples = await read();
        for (const s of samples) check(s.labels);
        this.reset();
        for (const s of samples) this.set(sorted(s.labels), round(s.value));
      },
    });
  }
}

/**
 * A counter whose samples are read when scraped, from a total kept elsewhere (which only goes up):
 * for counts a component keeps itself, such as the event streams' dropped clients (name it `…_total`).
 */
export class CollectedCounter extends Metric {
  readonly type = 'counter' as const;

  /**
   * @param registry - the prom-client registry it is exposed on
   * @param name - the metric name
   * @param help - its HELP text
   * @param labelNames - its labels
   * @param read - reads the current totals
   */
  constructor(registry: prom.Registry, name: string, help: string, labelNames: readonly string[], read: () => Promise<Sample[]>) {
    super(name, help, labelNames);
    const check = (labels: Labels): void => this.check(labels);
    new prom.Counter({
      name, help, labelNames, registers: [registry],
      async collect(this: prom.Counter) {
        const samples = await read();
        for (const s of samples) check(s.labels);
        this.reset();
        for (const s of samples) this.inc(sorted(s.labels), round(s.value));
      },
    });
  }
}

/** Options of a {@link MetricsRegistry}. */
export interface MetricsRegistryOptions {
  /**
   * Also expose prom-client's default process and Node.js runtime metrics (CPU, memory, event loop
   * lag, garbage collection, handles …) on this registry. Default false.
   */
  defaultMetrics?: boolean;
}

/** The registry: metrics in registration order, on a prom-client registry of its own. */
export class MetricsRegistry {
  /** The prom-client registry the metrics are exposed on (this host's only, not the global one). */
  readonly registry = new prom.Registry();

  /** @param options - whether to add the default process and runtime metrics */
  constructor(options: MetricsRegistryOptions = {}) {
    if (options.defaultMetrics) prom.collectDefaultMetrics({ register: this.registry });
  }

  private free(name: string): void {
    if (this.registry.getSingleMetric(name)) throw new Error(`metric ${name} is already registered`);
  }

  /** Registers a counter (the name should end in `_total`). */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    this.free(name);
    return new Counter(this.registry, name, help, labelNames);
  }

  /** Registers a histogram. */
  histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]): Histogram {
    this.free(name);
    return new Histogram(this.registry, name, help, labelNames, buckets);
  }

  /** Registers a gauge read at scrape time. */
  gauge(name: string, help: string, labelNames: readonly string[], read: () => Promise<Sample[]>): CollectedGauge {
    this.free(name);
    return new CollectedGauge(this.registry, name, help, labelNames, read);
  }

  /** Registers a counter read at scrape time (the name should end in `_total`). */
  collectedCounter(name: string, help: string, labelNames: readonly string[], read: () => Promise<Sample[]>): CollectedCounter {
    this.free(name);
    return new CollectedCounter(this.registry, name, help, labelNames, read);
  }

  /**
   * The exposition: `# HELP`, `# TYPE` and the samples of each metric, ending in a line feed.
   * @returns the text
   */
  async render(): Promise<string> {
    return this.registry.metrics();
  }
}
