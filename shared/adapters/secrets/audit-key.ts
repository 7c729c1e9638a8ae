import { AUDIT_KEY_BYTES } from '../../domain/audit.js';
import type { AuditKey } from '../../ports/services.js';
import { readSecret } from './key-secret.js';

type Env = Record<string, string | undefined>;

/** 32 bytes from base64url (or base64) text; anything else throws, naming `what` but never the value. */
export function parseAuditKey(text: string, what: string): Uint8Array {
  const bytes = Buffer.from(text.trim(), 'base64url');
  if (bytes.length !== AUDIT_KEY_BYTES) throw new Error(`${what} must be ${AUDIT_KEY_BYTES} bytes in base64url`);
  return new Uint8Array(bytes);
}

/**
 * The audit key of a function, by its environment: `LATCH_AUDIT_KEY_SECRET` (AWS: loaded from
 * Secrets Manager on first use, once per container) or `LATCH_AUDIT_KEY` (the local runner and
 * the CLI: the key itself). Undefined when neither is set (functions that write no events).
 */
export function auditKeyOf(env: Env): AuditKey | undefined {
  const secretId = env.LATCH_AUDIT_KEY_SECRET;
  if (secretId) {
    let loading: Promise<Uint8Array> | undefined;
    return {
      key: () => {
        loading ??= readSecret(secretId, 'audit key').then((text) => parseAuditKey(text, 'the audit key secret'));
        // A failed load is tried again by the next request, not cached.
        loading.catch(() => {
          loading = undefined;
        });
        return loading;
      },
    };
  }
  if (env.LATCH_AUDIT_KEY) {
    const key = parseAuditKey(env.LATCH_AUDIT_KEY, 'LATCH_AUDIT_KEY');
    return { key: async () => key };
  }
  return undefined;
}

/** A key for tests and a fresh local runner. */
export function generateAuditKey(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(AUDIT_KEY_BYTES))).toString('base64url');
}
