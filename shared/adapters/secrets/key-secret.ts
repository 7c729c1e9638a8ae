import { ServiceUnavailableError } from '../../domain/errors.js';
import { type PublicJwks, parseKeySecret, parsePublicJwks, publicJwksOf, type StoredKey } from '../crypto/key-ring.js';
import type { KeyRingStore } from '../crypto/key-rotation.js';

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

/**
 * The deployed ring for `latch keys` (the operator's credentials): reads the private secret;
 * writes it, then publishes its public JWKS in the public secret (a failure between the two is
 * repaired by running any `latch keys` step again, and `keys status` shows it). Secrets Manager
 * has no conditional put: run one rotation step at a time.
 */
export function secretsManagerKeyRingStore(privateSecretArn: string, publicSecretArn: string, region?: string): KeyRingStore {
  const client = import('@aws-sdk/client-secrets-manager').then((sdk) => ({ sdk, client: new sdk.SecretsManagerClient(region ? { region } : {}) }));
  const get = async (secretId: string) => {
    const { sdk, client: c } = await client;
    return (await c.send(new sdk.GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  };
  const put = async (secretId: string, value: string) => {
    const { sdk, client: c } = await client;
    await c.send(new sdk.PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
  };
  return {
    description: `the secrets ${privateSecretArn} (private) and ${publicSecretArn} (public)`,
    async read() {
      const text = await get(privateSecretArn);
      if (!text) throw new Error('the signing key secret is empty');
      return parseKeySecret(text);
    },
    async write(ring) {
      await put(privateSecretArn, JSON.stringify({ keys: ring }));
      await put(publicSecretArn, JSON.stringify(publicJwksOf(ring)));
    },
    async published(ring) {
      return (await get(publicSecretArn)) === JSON.stringify(publicJwksOf(ring));
    },
  };
}
