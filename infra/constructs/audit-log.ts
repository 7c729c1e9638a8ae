import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { auditTableDefinition } from '../../shared/adapters/dynamodb/audit-table.js';
import { AUDIT_ACTIONS, type AuditAccess } from './function-access.js';
import { generatedSecret } from './generated-secret.js';
import type { AuditIndexProjections } from './latch-auth-props.js';
import type { KeyGrantee } from './signing-keys.js';

/** Properties of {@link AuditLog}. */
export interface AuditLogProps {
  /** Of the table and the key secret; `RETAIN` also turns DynamoDB deletion protection on. */
  readonly removalPolicy: RemovalPolicy;
  /** Customer managed key for the table and the secret. @default AWS managed */
  readonly encryptionKey?: kms.IKey | undefined;
  /** The indexes' projections (`LatchAuthProps.auditIndexProjection`). @default keys only, both */
  readonly indexProjection?: AuditIndexProjections | undefined;
}

const PROJECTION = { 'keys-only': dynamodb.ProjectionType.KEYS_ONLY, all: dynamodb.ProjectionType.ALL } as const;

/**
 * The audit log's AWS side (`docs/specs/audit-and-breached-passwords.md` §2): its own table,
 * built from the shared definition (`shared/adapters/dynamodb/audit-table.ts`) and separate from
 * the user table so that it has its own IAM, retention, backups and key; and the audit key's
 * Secrets Manager secret (32 random bytes, base64url) that `emailHash` is an HMAC under. The key
 * generator custom resource fills the secret at deploy time ({@link SigningKeys}); it is never
 * rotated, since a new key would split an address's history.
 *
 * Append-only by IAM: {@link grant} gives `PutItem` (what an event's `Put` inside
 * `TransactWriteItems` needs) and, for the functions that read the log, `Query` and reads by key
 * (the indexes project keys only); nothing
 * grants `UpdateItem`, `DeleteItem` or `BatchWriteItem`, so TTL is the only deletion.
 */
export class AuditLog extends Construct {
  /** The audit table. */
  readonly table: dynamodb.Table;
  /** The audit key secret: read by the functions that write events. */
  readonly keySecret: secretsmanager.Secret;

  private readonly encryptionKey: kms.IKey | undefined;

  constructor(scope: Construct, id: string, props: AuditLogProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.table = this.createTable(props.removalPolicy, props.indexProjection ?? {});
    this.keySecret = generatedSecret(this, 'KeySecret', {
      description:
        'Latch audit key: 32 random bytes (base64url) that audit events hash email addresses under. Written once by the key generator, never rotated.',
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
      notRotatedBecause:
        "The audit key is never rotated on purpose: emailHash is an HMAC under it, so a new key would split every address's history in the audit log in two (docs/specs/audit-and-breached-passwords.md §2).",
    });
  }

  /** The environment of a function with this access (none without audit access). */
  environment(access: AuditAccess): Record<string, string> {
    if (access === 'none') return {};
    return { LATCH_AUDIT_TABLE_NAME: this.table.tableName, LATCH_AUDIT_KEY_SECRET: this.keySecret.secretArn };
  }

  /**
   * Grants one function its {@link AuditAccess}: the level's actions ({@link AUDIT_ACTIONS}) on
   * the table (for `query` also `GetItem`/`BatchGetItem`: events are fetched by key), `Query`
   * also on both indexes for `query`, and reading the audit key secret for
   * any level but `none`.
   */
  grant(grantee: KeyGrantee, access: AuditAccess): void {
    const actions = AUDIT_ACTIONS[access];
    if (actions.length === 0) return;
    const d = auditTableDefinition;
    grantee.addToRolePolicy(new iam.PolicyStatement({ actions: [...actions], resources: [this.table.tableArn] }));
    // Query also on the indexes (days, email hashes); an index cannot be written, so nothing else there.
    if (actions.includes('dynamodb:Query')) {
      const indexes = [d.dayIndex, d.emailIndex].map((index) => `${this.table.tableArn}/index/${index.name}`);
      grantee.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: indexes }));
    }
    grantee.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.keySecret.secretArn] }));
    // Writing an item encrypts (GenerateDataKey), reading one decrypts; the secret only decrypts.
    this.encryptionKey?.grantEncryptDecrypt(grantee.role);
  }

  private createTable(removalPolicy: RemovalPolicy, projection: AuditIndexProjections): dynamodb.Table {
    const d = auditTableDefinition;
    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: d.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: d.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      // `expiresAt` = `at` + AUTH_AUDIT_RETENTION_DAYS: the only way an event goes.
      timeToLiveAttribute: d.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: this.encryptionKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
      encryptionKey: this.encryptionKey,
      removalPolicy,
      // As the user table: on whenever the table is retained (a throwaway stack may be destroyed).
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
    });
    // Keys only by default (issue 17): the reader fetches events by key, so an index entry is
    // about 250 bytes instead of a whole copy of the event for the retention period.
    for (const [index, chosen] of [
      [d.dayIndex, projection.day ?? 'keys-only'],
      [d.emailIndex, projection.email ?? 'keys-only'],
    ] as const) {
      if (chosen === 'none') continue;
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: PROJECTION[chosen],
      });
    }
    return table;
  }
}
