import type { MetricName, Metrics } from '../../ports/metrics.js';

/** {@link Metrics} that keeps the counts (tests). */
export class MemoryMetrics implements Metrics {
  readonly counts = new Map<MetricName, number>();

  count(name: MetricName, value = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }

  get(name: MetricName): number {
    return this.counts.get(name) ?? 0;
  }
}
