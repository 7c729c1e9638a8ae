/**
 * Custom resource (behind the CDK provider framework) that fills the signing key secret,
 * publishes its public half, and fills the audit key secret.
 *
 * The private key is generated here, inside the account, and goes straight into Secrets Manager:
 * it never appears in the template, the CloudFormation event, the response or a log line. This
 * handler logs nothing at all, and returns only the current key's `kid` (public: it is in the JWKS).
 *
 * Create and Update both "ensure": a secret that already holds a key ring is kept as it is (an
 * update of the stack, or a key added by hand, must not sign everyone out); a secret holding
 * something else (the random placeholder CloudFormation created it with) gets a fresh Ed25519 key.
 * Then the public key secret is made to hold the ring's public JWKS (written only when it
 * differs), so functions that only verify never need the private secret.
 *
 * The audit key (32 random bytes, base64url: `emailHash` is an HMAC under it) follows the same
 * rule and is never rotated, since a new key would split an address's history: it is written
 * only while its secret holds the placeholder CloudFormation created it with; a key there is kept,
 * and anything else fails the deployment rather than being overwritten.
 *
 * The data-key ring (`{ current, keys }`, AES-256 keys that encrypt TOTP secrets at rest,
 * `docs/specs/mfa-and-passkeys.md` §9) follows the same "ensure" rule: a valid ring is kept (a
 * rotation adds keys by hand), the placeholder gets a fresh one-key ring, anything else fails.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { generateDataKeyRing, parseDataKeyRing } from '../../shared/adapters/crypto/data-keys.js';
import { generateStoredKey, parseKeySecret, publicJwksOf, type StoredKey } from '../../shared/adapters/crypto/key-ring.js';
import { generateAuditKey, parseAuditKey } from '../../shared/adapters/secrets/audit-key.js';

/** The two Secrets Manager calls the handler makes (a port, so tests need no AWS). */
export interface SecretStore {
  get(secretId: string): Promise<string | undefined>;
  put(secretId: string, value: string): Promise<void>;
}

/** What the provider framework expects back. */
export interface KeyGeneratorResult {
  PhysicalResourceId: string;
  Data?: { CurrentKid: string };
}

/** Whether a secret value is meant to be a key ring (an object with a `keys` array). */
function isKeyRing(value: string | undefined): boolean {
  if (value === undefined) return false;
  try {
    const parsed = JSON.parse(value) as unknown;
    return (
      typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { keys?: unknown }).keys) && (parsed as { keys: unknown[] }).keys.length > 0
    );
  } catch {
    return false;
  }
}

/**
 * Makes sure the secret holds a key ring: keeps a valid one, writes a new one-key ring otherwise.
 * A ring that is there but malformed throws (`parseKeySecret`'s message names no key material)
 * rather than being replaced, since replacing it would throw away keys someone put there.
 */
export async function ensureSigningKeys(store: SecretStore, secretId: string): Promise<{ kid: string; generated: boolean; ring: StoredKey[] }> {
  const current = await store.get(secretId);
  if (isKeyRing(current)) {
    const ring = parseKeySecret(current as string);
    const [first] = ring;
    if (!first) throw new Error('the signing key secret holds no keys');
    return { kid: first.kid, generated: false, ring };
  }
  const key = await generateStoredKey();
  await store.put(secretId, JSON.stringify({ keys: [key] }));
  return { kid: key.kid, generated: true, ring: [key] };
}

/**
 * Makes the public key secret hold the ring's public JWKS (current first). Written only when it
 * differs, so an update that changes nothing writes nothing; run again after adding a key to
 * the private ring by hand (see docs: rotating keys).
 */
export async function publishPublicKeys(store: SecretStore, publicSecretId: string, ring: readonly StoredKey[]): Promise<boolean> {
  const wanted = JSON.stringify(publicJwksOf(ring));
  if ((await store.get(publicSecretId)) === wanted) return false;
  await store.put(publicSecretId, wanted);
  return true;
}

/**
 * The member of the audit key secret's placeholder: CloudFormation creates the secret holding
 * `{"placeholder":"<random>"}` (`infra/constructs/audit-log.ts`), and only that is replaced.
 */
export const AUDIT_KEY_PLACEHOLDER = 'placeholder';

/** Whether a secret value is the audit key secret's placeholder (`{"placeholder":"…"}`) or empty. */
function isAuditKeyPlaceholder(value: string | undefined): boolean {
  if (value === undefined || value.trim() === '') return true;
  try {
    const parsed = JSON.parse(value) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.keys(parsed).join() === AUDIT_KEY_PLACEHOLDER;
  } catch {
    return false;
  }
}

/**
 * Makes sure the audit key secret holds a key: keeps one that is there (whatever wrote it),
 * writes 32 fresh random bytes over the placeholder, and throws on anything else (the message
 * names no value), since overwriting it could throw away the key an address's history is under.
 */
export async function ensureAuditKey(store: SecretStore, secretId: string): Promise<{ generated: boolean }> {
  const current = await store.get(secretId);
  if (isAuditKeyPlaceholder(current)) {
    await store.put(secretId, generateAuditKey());
    return { generated: true };
  }
  parseAuditKey(current as string, 'the audit key secret');
  return { generated: false };
}

/**
 * Makes sure the data-key secret holds a ring: keeps a valid one (whatever wrote it: a rotation
 * adds keys by hand), writes a fresh one-key ring over the placeholder, and throws on anything
 * else (the message names no key), since overwriting it would make every stored secret unreadable.
 */
export async function ensureDataKeys(store: SecretStore, secretId: string): Promise<{ generated: boolean }> {
  const current = await store.get(secretId);
  if (isAuditKeyPlaceholder(current)) {
    await store.put(secretId, generateDataKeyRing());
    return { generated: true };
  }
  parseDataKeyRing(current as string, 'the data key secret');
  return { generated: false };
}

function secretsManagerStore(): SecretStore {
  let client: Promise<import('@aws-sdk/client-secrets-manager').SecretsManagerClient> | undefined;
  const load = () => {
    client ??= import('@aws-sdk/client-secrets-manager').then(({ SecretsManagerClient }) => new SecretsManagerClient({}));
    return client;
  };
  return {
    async get(secretId) {
      const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      return (await (await load()).send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    },
    async put(secretId, value) {
      const { PutSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      await (await load()).send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
    },
  };
}

/** Creates the handler over a store (the deployed one uses Secrets Manager). */
export function createHandler(store: SecretStore): (event: CloudFormationCustomResourceEvent) => Promise<KeyGeneratorResult> {
  return async (event) => {
    const {
      SecretArn: secretArn,
      PublicSecretArn: publicSecretArn,
      AuditKeySecretArn: auditKeySecretArn,
      DataKeySecretArn: dataKeySecretArn,
    } = event.ResourceProperties as { SecretArn?: unknown; PublicSecretArn?: unknown; AuditKeySecretArn?: unknown; DataKeySecretArn?: unknown };
    if (typeof secretArn !== 'string' || secretArn === '') throw new Error('SecretArn is required');
    if (event.RequestType === 'Delete') {
      // The secrets' own removal policy decides what happens to the keys.
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
    if (typeof publicSecretArn !== 'string' || publicSecretArn === '') throw new Error('PublicSecretArn is required');
    if (auditKeySecretArn !== undefined && (typeof auditKeySecretArn !== 'string' || auditKeySecretArn === ''))
      throw new Error('AuditKeySecretArn must be an ARN');
    if (dataKeySecretArn !== undefined && (typeof dataKeySecretArn !== 'string' || dataKeySecretArn === '')) throw new Error('DataKeySecretArn must be an ARN');
    const { kid, ring } = await ensureSigningKeys(store, secretArn);
    await publishPublicKeys(store, publicSecretArn, ring);
    // Nothing about the audit key goes back to CloudFormation.
    if (typeof auditKeySecretArn === 'string') await ensureAuditKey(store, auditKeySecretArn);
    // Nor anything about the data keys.
    if (typeof dataKeySecretArn === 'string') await ensureDataKeys(store, dataKeySecretArn);
    return { PhysicalResourceId: secretArn, Data: { CurrentKid: kid } };
  };
}

/** The Lambda entry point. */
export const handler = createHandler(secretsManagerStore());
