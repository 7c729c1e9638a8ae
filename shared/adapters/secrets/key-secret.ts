import { ServiceUnavailableError } from '../../domain/errors.js';
import { type PublicJwks, parseKeySecret, parsePublicJwks, type StoredKey } from '../crypto/key-ring.js';

/** One secret's string; a Secrets Manager failure is a 503, never the secret in an error. */
export async function readSecret(secretId: string, what: string): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  let value: string | undefined;
  try {
    value = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (error) {
    throw new ServiceUnavailableError(undefined, { cause: error });
  }
  if (!value) throw new Error(`the ${what} secret is empty`);
  return value;
}

/**
 * Loads the private signing key ring from AWS Secrets Manager (the secret the CDK stack's key
 * generator fills). Only functions that sign tokens may read it. Called once per container, on
 * first use; the private key never reaches a log.
 */
export async function loadSigningKeys(secretId: string): Promise<StoredKey[]> {
  return parseKeySecret(await readSecret(secretId, 'signing key'));
}

/**
 * Loads the public key ring (a JWKS, no private members) the key generator publishes beside the
 * private one, for functions that only verify tokens or serve the JWKS.
 */
export async function loadPublicKeys(secretId: string): Promise<PublicJwks> {
  return parsePublicJwks(await readSecret(secretId, 'public key'));
}
