import { CustomResource, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { AuditLog } from './audit-log.js';
import { generatedSecret, grantSecretRead } from './generated-secret.js';
import { LatchFunction } from './latch-function.js';

/** Properties of {@link SigningKeys}. */
export interface SigningKeysProps {
  readonly architecture: lambda.Architecture;
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: logs.RetentionDays;
  /** Customer managed key for both secrets. @default AWS managed */
  readonly encryptionKey?: kms.IKey | undefined;
  /**
   * The audit key secret ({@link AuditLog}), filled by the same generator with the same rule:
   * a key is made only when the secret holds its placeholder, and never rotated.
   * @default no audit key
   */
  readonly auditKeySecret?: secretsmanager.ISecret | undefined;
}

/** What {@link SigningKeys.grantSign} and {@link SigningKeys.grantVerify} grant to. */
export interface KeyGrantee {
  addToRolePolicy(statement: iam.PolicyStatement): void;
  readonly role: iam.IRole;
}

const ROTATION_REASON =
  'Signing keys rotate by putting a new key in front of the ring and keeping the previous ones in the JWKS until the tokens they signed expire. Secrets Manager rotation replaces the value on a schedule, which would invalidate every outstanding access token, so rotation is a deliberate operator step instead.';

/**
 * The access-token signing keys: a private secret (`{"keys":[{kid, privateJwk, createdAt}]}`,
 * current first) that only the functions that sign may read, a public secret (the public JWKS
 * of the same ring, no private member) for the functions that only verify or serve the JWKS,
 * and the key generator custom resource that fills the first and publishes the second at deploy
 * time (and fills the audit key secret of {@link AuditLog} when given). No key is ever in the template.
 */
export class SigningKeys extends Construct {
  /** The private key ring. Read only by signers ({@link grantSign}). */
  readonly privateSecret: secretsmanager.Secret;
  /** The public JWKS of the ring. Read by verifiers ({@link grantVerify}). */
  readonly publicSecret: secretsmanager.Secret;
  /**
   * The data-key ring (`{ current, keys }`: AES-256 keys that encrypt TOTP secrets at rest),
   * filled by the same generator with the same "ensure" rule. Read only by the functions that
   * encrypt or verify TOTP secrets ({@link grantDataKeys}).
   */
  readonly dataKeySecret: secretsmanager.Secret;
  /** The custom resource: anything that reads a secret (the audit key's too) must depend on it. */
  readonly keyRing: CustomResource;

  private readonly encryptionKey: kms.IKey | undefined;

  constructor(scope: Construct, id: string, props: SigningKeysProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    // `Default`: the secret keeps the logical id it had when it was created directly in
    // LatchAuth, so upgrading a deployed stack does not replace it (which would sign everyone out).
    this.privateSecret = new secretsmanager.Secret(this, 'Default', {
      description: 'Latch access-token signing keys (Ed25519 private JWKs, current first). Written by the key generator, never by the template.',
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
    });
    this.publicSecret = new secretsmanager.Secret(this, 'Public', {
      description: 'Latch access-token verification keys (the public JWKS of the signing key ring). Written by the key generator.',
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
    });
    this.dataKeySecret = generatedSecret(this, 'DataKeys', {
      description:
        'Latch data-key ring: AES-256 keys (base64url) that encrypt TOTP secrets at rest, { current, keys }. Written by the key generator; rotated by adding a key.',
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
      notRotatedBecause:
        'A data key rotates by adding a key to the ring and making it current; old ciphertexts are re-encrypted on their next use. Replacing the value on a schedule would make every stored TOTP secret unreadable.',
    });
    for (const secret of [this.privateSecret, this.publicSecret]) Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: ROTATION_REASON });
    this.keyRing = this.createKeyGenerator(props);
  }

  /** Lets a function that signs access tokens read the private ring (and decrypt it). */
  grantSign(grantee: KeyGrantee): void {
    grantSecretRead(grantee, this.privateSecret, this.encryptionKey);
  }

  /** Lets a function that only verifies access tokens (or serves the JWKS) read the public ring. */
  grantVerify(grantee: KeyGrantee): void {
    grantSecretRead(grantee, this.publicSecret, this.encryptionKey);
  }

  /** Lets a function that encrypts or verifies TOTP secrets read the data-key ring. */
  grantDataKeys(grantee: KeyGrantee): void {
    grantSecretRead(grantee, this.dataKeySecret, this.encryptionKey);
  }

  /** The key generator Lambda, its provider and the custom resource that runs it. */
  private createKeyGenerator(props: SigningKeysProps): CustomResource {
    const { architecture, removalPolicy, logRetention } = props;
    const generator = new LatchFunction(this, 'KeyGenerator', {
      entry: 'infra/key-generator/handler.ts',
      description:
        'Latch: writes a fresh Ed25519 signing key into an empty key secret, publishes the public keys, and writes the audit key once (custom resource)',
      architecture,
      memorySize: 256,
      timeout: Duration.minutes(1),
      logRetention,
      removalPolicy,
    });
    generator.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        resources: [
          this.privateSecret.secretArn,
          this.publicSecret.secretArn,
          this.dataKeySecret.secretArn,
          ...(props.auditKeySecret ? [props.auditKeySecret.secretArn] : []),
        ],
      }),
    );
    this.encryptionKey?.grantEncryptDecrypt(generator.role);

    // The provider framework's own function gets a role of ours, limited to its log group and
    // to invoking the generator, instead of the AWSLambdaBasicExecutionRole managed policy.
    const frameworkLogs = new logs.LogGroup(this, 'KeyProviderLogs', { retention: logRetention, removalPolicy });
    const frameworkRole = new iam.Role(this, 'KeyProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Latch key generator: CDK provider framework (invokes the generator)',
    });
    frameworkLogs.grantWrite(frameworkRole);
    const provider = new cr.Provider(this, 'KeyProvider', {
      onEventHandler: generator.function,
      logGroup: frameworkLogs,
      frameworkOnEventRole: frameworkRole,
    });
    Validations.of(frameworkRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(generator.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason:
        'The CDK provider framework grants lambda:InvokeFunction on the key generator and its versions/aliases (ARN:*); the wildcard covers qualifiers of that one function only.',
    });

    return new CustomResource(this, 'SigningKeyRing', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::LatchSigningKeys',
      // Only the secrets' ARNs: the keys are made inside the generator, never in the template.
      properties: {
        SecretArn: this.privateSecret.secretArn,
        PublicSecretArn: this.publicSecret.secretArn,
        ...(props.auditKeySecret ? { AuditKeySecretArn: props.auditKeySecret.secretArn } : {}),
        DataKeySecretArn: this.dataKeySecret.secretArn,
      },
    });
  }
}
