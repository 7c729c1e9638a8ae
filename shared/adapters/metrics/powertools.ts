import type { MetricName, Metrics } from '../../ports/metrics.js';

type Env = Record<string, string | undefined>;

/** The `service` dimension Powertools puts on every metric (the alarms name it too). */
export const METRICS_SERVICE = 'latch';

/**
 * {@link Metrics} as CloudWatch embedded metric format through `@aws-lambda-powertools/metrics`:
 * each count is one EMF line on stdout (a single metric, published at once, so no handler has to
 * flush), in `namespace` with the dimension `service=latch`. The library is imported on the
 * first count, so a function that counts nothing (the authorizer) never evaluates it; counts made
 * while it loads are published when it has. Never throws.
 */
export class PowertoolsMetrics implements Metrics {
  private loaded: { publish: (name: MetricName, value: number) => void } | undefined;
  private pending: Array<[MetricName, number]> = [];
  private loading: Promise<void> | undefined;

  constructor(private readonly namespace: string) {}

  count(name: MetricName, value = 1): void {
    if (this.loaded) {
      this.loaded.publish(name, value);
      return;
    }
    this.pending.push([name, value]);
    this.loading ??= import('@aws-lambda-powertools/metrics')
      .then(({ Metrics: PowertoolsMetricsClass, MetricUnit }) => {
        const metrics = new PowertoolsMetricsClass({ namespace: this.namespace, serviceName: METRICS_SERVICE });
        this.loaded = {
          publish: (metric, amount) => {
            try {
              metrics.singleMetric().addMetric(metric, MetricUnit.Count, amount);
            } catch {
              // A metric is never worth a failed request.
            }
          },
        };
        for (const [metric, amount] of this.pending.splice(0)) this.loaded.publish(metric, amount);
      })
      .catch(() => {
        this.pending = [];
      });
  }

  /** Resolves once the counts made so far are published (tests). */
  async flushed(): Promise<void> {
    await this.loading;
  }
}

/** Counts nothing (the local runner, the CLI, tests that do not look). */
export const NO_METRICS: Metrics = { count: () => undefined };

/** The function's metrics: EMF in `LATCH_METRICS_NAMESPACE` (CDK sets it), none without it. */
export function metricsOf(env: Env): Metrics {
  const namespace = env.LATCH_METRICS_NAMESPACE;
  return namespace ? new PowertoolsMetrics(namespace) : NO_METRICS;
}
