import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AUDIT_KEY_PLACEHOLDER } from '../key-generator/handler.js';
import type { KeyGrantee } from './signing-keys.js';

export interface GeneratedSecretProps {
  description: string;
  encryptionKey: kms.IKey | undefined;
  removalPolicy: RemovalPolicy;
  /** Why Secrets Manager's scheduled rotation is off (cdk-nag AwsSolutions-SMG4). */
  notRotatedBecause: string;
}

/**
 * A secret the key generator fills: created as `{"placeholder":"<random>"}` (recognisably not a
 * key, the only value the generator replaces), never written by the template, and not rotated by
 * Secrets Manager (the reason is recorded for cdk-nag). The audit key and the data-key ring.
 */
export function generatedSecret(scope: Construct, id: string, props: GeneratedSecretProps): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, {
    description: props.description,
    encryptionKey: props.encryptionKey,
    removalPolicy: props.removalPolicy,
    generateSecretString: { secretStringTemplate: '{}', generateStringKey: AUDIT_KEY_PLACEHOLDER, excludePunctuation: true },
  });
  Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: props.notRotatedBecause });
  return secret;
}

/** Lets a function read one secret (and decrypt it under the stack's key, when there is one). */
export function grantSecretRead(grantee: KeyGrantee, secret: secretsmanager.ISecret, encryptionKey: kms.IKey | undefined): void {
  grantee.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
  encryptionKey?.grantDecrypt(grantee.role);
}
