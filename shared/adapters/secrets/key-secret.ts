import { ServiceUnavailableError } from '../../domain/errors.js';
import { parseKeySecret, type StoredKey } from '../crypto/key-ring.js';

/**
 * Loads the signing keys from AWS Secrets Manager (the secret the CDK stack's key generator
 * fills). Called once per container, on first use; the private key never reaches a log.
 */
export async function loadKeysFromSecretsManager(secretId: string): Promise<StoredKey[]> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  let value: string | undefined;
  try {
    value = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (error) {
    throw new ServiceUnavailableError(undefined, { cause: error });
  }
  if (!value) throw new Error('the signing key secret is empty');
  return parseKeySecret(value);
}
