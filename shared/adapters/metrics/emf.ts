import type { MetricName, Metrics } from '../../ports/metrics.js';

type Env = Record<string, string | undefined>;

/** The `service` dimension on every metric (the alarms name it too). */
export const METRICS_SERVICE = 'latch';

/**
 * One count as a CloudWatch embedded metric format line (the format's specification:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * a single metric in `namespace` with the dimension `service=latch`, unit `Count`. The same line
 * Powertools' `metrics.singleMetric().addMetric(name, 'Count', value)` wrote, which this replaces
 * (issue 17, row 6: Powertools' metrics were about 10 KB of every bundle for this one line).
 */
export function emfLine(namespace: string, name: MetricName, value: number, timestamp: number): string {
  const directive = { Namespace: namespace, Dimensions: [['service']], Metrics: [{ Name: name, Unit: 'Count' }] };
  return JSON.stringify({ _aws: { Timestamp: timestamp, CloudWatchMetrics: [directive] }, service: METRICS_SERVICE, [name]: value });
}

/**
 * {@link Metrics} as CloudWatch embedded metric format: each count is one EMF line on stdout,
 * published at once (so no handler has to flush). Written to `process.stdout` directly, not
 * through `console`, whose Lambda version prefixes each line and would hide the JSON from
 * CloudWatch. Never throws.
 */
export class EmfMetrics implements Metrics {
  constructor(
    private readonly namespace: string,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {}

  count(name: MetricName, value = 1): void {
    try {
      if (!Number.isFinite(value)) return;
      this.write(`${emfLine(this.namespace, name, value, Date.now())}\n`);
    } catch {
      // A metric is never worth a failed request.
    }
  }
}

/** Counts nothing (the local runner, the CLI, tests that do not look). */
export const NO_METRICS: Metrics = { count: () => undefined };

/** The function's metrics: EMF in `LATCH_METRICS_NAMESPACE` (CDK sets it), none without it. */
export function metricsOf(env: Env): Metrics {
  const namespace = env.LATCH_METRICS_NAMESPACE;
  return namespace ? new EmfMetrics(namespace) : NO_METRICS;
}
