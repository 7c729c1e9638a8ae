import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { outboxStreamFilter } from '../../shared/adapters/dynamodb/outbox-stream.js';
import { keys } from '../../shared/adapters/dynamodb/table.js';
import { LatchFunction } from './latch-function.js';

/** What the mail sender is built from (the parts of `LatchAuth` it needs). */
export interface MailSenderProps {
  table: dynamodb.Table;
  encryptionKey: kms.IKey | undefined;
  /** The functions' environment, without the signing key secret (the sender signs nothing). */
  environment: Record<string, string>;
  sesIdentities: string[];
  mailFrom: string;
  architecture: lambda.Architecture;
  hooksModule: string | undefined;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  /** Every mail is sent with it (bounce and complaint events: {@link addSesFeedback}). @default none */
  configurationSet?: ses.IConfigurationSet | undefined;
  /** Files shipped beside the bundle (the mail template overrides). @default none */
  files?: Record<string, string> | undefined;
}

/**
 * The mail sender: the only function allowed to send mail. The table's stream (new images)
 * invokes it for new outbox items only (an event filter on the key prefix, so sessions and
 * counters never wake it); it sends each mail through SES and deletes its item. Retryable
 * failures are reported per record (partial batch response) and retried, for at most an hour
 * of record age; permanent refusals are logged and dropped by the function itself.
 */
export function addMailSender(scope: Construct, props: MailSenderProps): LatchFunction {
  const sender = new LatchFunction(scope, 'MailSender', {
    entry: 'functions/mail-sender.ts',
    description: 'Latch mail-sender: delivers outbox items from the table stream through SES',
    architecture: props.architecture,
    hooksModule: props.hooksModule,
    memorySize: 256,
    timeout: Duration.seconds(30),
    ...(props.files ? { files: props.files } : {}),
    environment: {
      ...props.environment,
      ...(props.configurationSet ? { LATCH_SES_CONFIGURATION_SET: props.configurationSet.configurationSetName } : {}),
    },
    logRetention: props.logRetention,
    removalPolicy: props.removalPolicy,
  });
  sender.function.addEventSource(
    new DynamoEventSource(props.table, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 10,
      filters: [lambda.FilterCriteria.filter(outboxStreamFilter as unknown as Record<string, unknown>)],
      reportBatchItemFailures: true,
      retryAttempts: 20,
      // A mail that could not go out within an hour is stale (and its item's TTL is shorter).
      maxRecordAge: Duration.hours(1),
    }),
  );
  const stack = Stack.of(scope);
  // Deleting the sent item is its only table write, and only on outbox keys.
  sender.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:DeleteItem'],
      resources: [props.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${keys.outboxPrefix}*`] } },
    }),
  );
  // Before each mail, one read of the address's SES feedback mark (docs/mail.md), and nothing else.
  sender.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem'],
      resources: [props.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${keys.undeliverablePrefix}*`] } },
    }),
  );
  props.encryptionKey?.grantDecrypt(sender.role);
  sender.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resources: [
        ...props.sesIdentities.map((identity) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity })),
        // Sending with a configuration set is authorized on it too.
        ...(props.configurationSet
          ? [stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: props.configurationSet.configurationSetName })]
          : []),
      ],
      // Even within the identity, only the configured sender address.
      conditions: { StringEquals: { 'ses:FromAddress': props.mailFrom } },
    }),
  );
  Validations.of(sender.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'The DynamoDB event source grants dynamodb:ListStreams, which has no resource-level permissions (it must be *); reading records is limited to the table stream ARN.',
  });
  return sender;
}

/** What {@link addSesFeedback} is built from. */
export interface SesFeedbackProps {
  table: dynamodb.Table;
  /** The table's key: the topic is encrypted with it too (SES may use it to publish). @default the topic is not encrypted */
  encryptionKey: kms.IKey | undefined;
  /** The functions' environment (the feedback function uses the table and the metrics namespace only). */
  environment: Record<string, string>;
  architecture: lambda.Architecture;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
}

/** The SES feedback resources. */
export interface SesFeedback {
  /** The configuration set every Latch mail is sent with. */
  readonly configurationSet: ses.ConfigurationSet;
  /** Where SES publishes its bounce and complaint events. */
  readonly topic: sns.Topic;
  /** Marks each bounced (permanent) or complaining address as undeliverable. */
  readonly function: LatchFunction;
}

/**
 * SES feedback (`docs/mail.md`): a configuration set whose bounce and complaint events go to an
 * SNS topic, and the function subscribed to it, which marks each address as undeliverable (one
 * conditional put per address, on `UNDELIVERABLE#` keys only), so the mail sender stops mailing
 * it. SES's account-level reputation (the bounce and complaint rate alarms) depends on it.
 */
export function addSesFeedback(scope: Construct, props: SesFeedbackProps): SesFeedback {
  const group = new Construct(scope, 'SesFeedback');
  const configurationSet = new ses.ConfigurationSet(group, 'ConfigurationSet', {
    // Reputation metrics per configuration set (the account-wide ones are the alarms').
    reputationMetrics: true,
  });
  const topic = new sns.Topic(group, 'Topic', {
    displayName: 'Latch SES bounces and complaints',
    enforceSSL: true,
    ...(props.encryptionKey ? { masterKey: props.encryptionKey } : {}),
  });
  if (props.encryptionKey) {
    // SES publishes to the encrypted topic with the table's key. Without one the topic is not
    // encrypted: SES cannot publish to a topic under the AWS managed SNS key.
    props.encryptionKey.grant(new iam.ServicePrincipal('ses.amazonaws.com'), 'kms:GenerateDataKey*', 'kms:Decrypt');
  }
  configurationSet.addEventDestination('BouncesAndComplaints', {
    destination: ses.EventDestination.snsTopic(topic),
    events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
  });
  const feedback = new LatchFunction(scope, 'SesFeedbackFunction', {
    entry: 'functions/ses-feedback.ts',
    description: 'Latch ses-feedback: marks addresses SES reports as bounced (permanently) or complaining, so no more mail goes to them',
    architecture: props.architecture,
    memorySize: 256,
    timeout: Duration.seconds(30),
    environment: { ...props.environment, LATCH_KEYS: 'none' },
    logRetention: props.logRetention,
    removalPolicy: props.removalPolicy,
  });
  topic.addSubscription(new LambdaSubscription(feedback.function));
  feedback.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:PutItem'],
      resources: [props.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${keys.undeliverablePrefix}*`] } },
    }),
  );
  props.encryptionKey?.grantEncryptDecrypt(feedback.role);
  return { configurationSet, topic, function: feedback };
}
