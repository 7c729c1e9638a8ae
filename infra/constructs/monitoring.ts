import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS_SERVICE } from '../../shared/adapters/metrics/emf.js';
import { METRIC_NAMES, type MetricName } from '../../shared/ports/metrics.js';
import type { LatchFunction } from './latch-function.js';

/**
 * Counts the functions publish themselves as CloudWatch embedded metric format
 * (`shared/adapters/metrics/emf.ts`, dimension `service=latch`): sign-ins, refused
 * sign-ins, lockouts and renewal-token reuse from the audit events each commit appends,
 * renewals from the write that spends a renewal token (`shared/flows/metrics.ts`), mails sent
 * and suppressed by the mail sender, and addresses marked undeliverable by the SES feedback
 * function. They replace the metric filters that used to derive the same counts from log lines.
 */
export const EMF_METRICS = METRIC_NAMES;

/**
 * The one count still derived from a log line by a metric filter: the authorizer's
 * `token check failed: denied` (it denies because of an error, a store or key outage, rather
 * than a bad token). The authorizer does not load the metrics library at all, so its cold start
 * and bundle stay as small as they were; its one warn line is all this alarm needs.
 */
export const LOG_METRICS = {
  AuthorizerDeniedOnError: { source: 'authorizer', pattern: '{ $.message = "token check failed: denied" }' },
} as const;

export type LatchMetricName = MetricName | keyof typeof LOG_METRICS;

/** DynamoDB operations the functions call (CloudWatch alarms take at most 10 metrics in a math expression). */
const TABLE_OPERATIONS = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.DELETE_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.TRANSACT_WRITE_ITEMS,
  dynamodb.Operation.TRANSACT_GET_ITEMS,
  dynamodb.Operation.BATCH_GET_ITEM,
];

/** SES account reputation limits past which SES reviews (bounce 10 %, complaint 0.5 %): alarm at half. */
export const SES_BOUNCE_RATE_ALARM = 0.05;
export const SES_COMPLAINT_RATE_ALARM = 0.001;

/** Properties of {@link LatchMonitoring}. */
export interface LatchMonitoringProps {
  /** Every Latch function by name (`authorizer` and `mail-sender` among them). */
  readonly functions: ReadonlyMap<string, LatchFunction>;
  /** Names of the functions that write audit events (their log groups carry the audit lines). */
  readonly auditWriters: readonly string[];
  /* `auditWriters` and `accessLogs` fed the metric filters the EMF metrics replaced; kept so the props stay compatible. */
  readonly api: apigwv2.HttpApi;
  readonly accessLogs: logs.ILogGroup;
  readonly tables: readonly dynamodb.ITable[];
  /** Every alarm notifies it (ALARM and OK). @default alarms without actions */
  readonly alarmTopic?: sns.ITopic | undefined;
  /** @default true */
  readonly dashboard?: boolean | undefined;
  /** CloudWatch namespace of {@link LATCH_METRICS}. */
  readonly namespace: string;
}

/**
 * Latch's alarms and dashboard: errors and throttles of every function (the authorizer's among
 * them), the authorizer's denials on error (it denies on any error, so a store outage shows up
 * here and not only as 403s in other services), 5xx of the auth API, DynamoDB throttled
 * requests and system errors of both tables, and SES bounce and complaint rates.
 */
export class LatchMonitoring extends Construct {
  /** Every alarm, by construct id. */
  readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** The counts of {@link LATCH_METRICS} (sums per 5 minutes). */
  readonly metrics: Readonly<Record<LatchMetricName, cloudwatch.Metric>>;
  readonly dashboard: cloudwatch.Dashboard | undefined;

  constructor(scope: Construct, id: string, props: LatchMonitoringProps) {
    super(scope, id);
    const fnOf = (name: string): LatchFunction => {
      const fn = props.functions.get(name);
      if (!fn) throw new Error(`no function ${name}`);
      return fn;
    };
    const metrics = {} as Record<LatchMetricName, cloudwatch.Metric>;
    for (const name of EMF_METRICS) {
      metrics[name] = new cloudwatch.Metric({
        namespace: props.namespace,
        metricName: name,
        dimensionsMap: { service: METRICS_SERVICE },
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
    }
    const filters = new Construct(this, 'MetricFilters');
    for (const [name, spec] of Object.entries(LOG_METRICS) as Array<[keyof typeof LOG_METRICS, (typeof LOG_METRICS)[keyof typeof LOG_METRICS]]>) {
      new logs.MetricFilter(filters, `${name}0`, {
        logGroup: fnOf(spec.source).logGroup,
        filterPattern: logs.FilterPattern.literal(spec.pattern),
        metricNamespace: props.namespace,
        metricName: name,
        metricValue: '1',
        unit: cloudwatch.Unit.COUNT,
      });
      metrics[name] = new cloudwatch.Metric({ namespace: props.namespace, metricName: name, statistic: 'Sum', period: Duration.minutes(5) });
    }
    this.metrics = metrics;

    const alarms = new Map<string, cloudwatch.Alarm>();
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string): cloudwatch.Alarm => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `Latch (${Stack.of(this).stackName}): ${description}`,
      });
      if (props.alarmTopic) {
        created.addAlarmAction(new actions.SnsAction(props.alarmTopic));
        created.addOkAction(new actions.SnsAction(props.alarmTopic));
      }
      alarms.set(alarmId, created);
      return created;
    };
    const fiveMinutes = { period: Duration.minutes(5), statistic: 'Sum' };

    alarm(
      'AuthorizerDeniedOnError',
      metrics.AuthorizerDeniedOnError,
      5,
      'the authorizer denied 5 or more requests in 5 minutes because of an error (store or key secret unreachable), not a bad token: other services answer 403 to signed-in users',
    );
    for (const [name, fn] of props.functions) {
      const label = name.replace(/(^|-)([a-z])/g, (_, __: string, c: string) => c.toUpperCase());
      alarm(`${label}Errors`, fn.function.metricErrors(fiveMinutes), 1, `function ${name} failed (crash or timeout) at least once in 5 minutes`);
      alarm(`${label}Throttles`, fn.function.metricThrottles(fiveMinutes), 1, `function ${name} was throttled (concurrency limit) at least once in 5 minutes`);
    }
    alarm('Api5xx', props.api.metricServerError(fiveMinutes), 1, 'the auth API answered 5xx at least once in 5 minutes (Latch answers no 500s by design)');
    props.tables.forEach((table, index) => {
      const which = index === 0 ? 'Table' : 'AuditTable';
      alarm(
        `${which}ThrottledRequests`,
        table.metricThrottledRequestsForOperations({ ...fiveMinutes, operations: TABLE_OPERATIONS }),
        1,
        `DynamoDB throttled requests on the ${index === 0 ? 'user' : 'audit'} table`,
      );
      alarm(
        `${which}SystemErrors`,
        table.metricSystemErrorsForOperations({ ...fiveMinutes, operations: TABLE_OPERATIONS }),
        1,
        `DynamoDB system errors (5xx) on the ${index === 0 ? 'user' : 'audit'} table`,
      );
    });
    const ses = (metricName: string) => new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) });
    alarm(
      'SesBounceRate',
      ses('Reputation.BounceRate'),
      SES_BOUNCE_RATE_ALARM,
      'SES bounce rate of the account is 5 % or more (SES reviews the account at 10 %)',
    );
    alarm(
      'SesComplaintRate',
      ses('Reputation.ComplaintRate'),
      SES_COMPLAINT_RATE_ALARM,
      'SES complaint rate of the account is 0.1 % or more (SES reviews the account at 0.5 %)',
    );
    this.alarms = alarms;

    this.dashboard = props.dashboard === false ? undefined : this.createDashboard(props, fnOf);
  }

  private createDashboard(props: LatchMonitoringProps, fnOf: (name: string) => LatchFunction): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    const authorizer = fnOf('authorizer').function;
    const m = this.metrics;
    const functions = [...props.functions.entries()];
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Latch alarms', alarms: [...this.alarms.values()], width: 24, height: 4 }),
      new cloudwatch.GraphWidget({
        title: 'Auth API',
        left: [props.api.metricCount(), props.api.metricClientError(), props.api.metricServerError()],
        right: [props.api.metricLatency({ statistic: 'p99' })],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Authorizer',
        left: [authorizer.metricInvocations(), authorizer.metricErrors(), authorizer.metricThrottles(), m.AuthorizerDeniedOnError],
        right: [authorizer.metricDuration({ statistic: 'p99' })],
        width: 12,
      }),
      new cloudwatch.GraphWidget({ title: 'Sign-ins', left: [m.SignIns, m.SignInFailures, m.Lockouts], width: 12 }),
      new cloudwatch.GraphWidget({ title: 'Sessions', left: [m.Renewals, m.RenewalReuseDetections], width: 12 }),
      new cloudwatch.GraphWidget({ title: 'Mail', left: [m.MailsSent, m.MailsSuppressed, m.UndeliverableBounces, m.UndeliverableComplaints], width: 12 }),
      new cloudwatch.GraphWidget({ title: 'Function errors', left: functions.map(([name, fn]) => fn.function.metricErrors({ label: name })), width: 12 }),
      new cloudwatch.GraphWidget({ title: 'Function throttles', left: functions.map(([name, fn]) => fn.function.metricThrottles({ label: name })), width: 12 }),
      new cloudwatch.GraphWidget({
        title: 'DynamoDB',
        left: props.tables.flatMap((table, index) =>
          ['ReadThrottleEvents', 'WriteThrottleEvents'].map((metricName) =>
            table.metric(metricName, { statistic: 'Sum', label: `${index === 0 ? 'users' : 'audit'} ${metricName}` }),
          ),
        ),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'SES reputation',
        left: ['Reputation.BounceRate', 'Reputation.ComplaintRate'].map(
          (metricName) => new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: Duration.hours(1) }),
        ),
        width: 12,
      }),
    );
    return dashboard;
  }
}
