import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
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
    environment: props.environment,
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
  props.encryptionKey?.grantDecrypt(sender.role);
  sender.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resources: props.sesIdentities.map((identity) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity })),
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
