/**
 * Counts Latch publishes as CloudWatch metrics (embedded metric format in AWS; `docs` README
 * "Operating Latch"). Flows stay free of the metrics library: they, or a store view, call
 * `count` and the adapter decides how it leaves the process.
 */
export const METRIC_NAMES = [
  'SignIns',
  'SignInFailures',
  'Lockouts',
  'Renewals',
  'RenewalReuseDetections',
  'MailsSent',
  'MailsSuppressed',
  'UndeliverableBounces',
  'UndeliverableComplaints',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

export interface Metrics {
  /** Adds `value` (default 1) to a count. Never throws: a metric is never worth a failed request. */
  count(name: MetricName, value?: number): void;
}
