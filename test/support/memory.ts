import { commonPasswordsFile, lazyCommonPasswords } from '../../shared/adapters/breached-passwords/common.js';
import { breachedPasswordsFile, lazyBreachedPasswords } from '../../shared/adapters/breached-passwords/file.js';
import { Argon2Hasher } from '../../shared/adapters/crypto/argon2-hasher.js';
import { AesGcmDataKeys, generateDataKeyRing, parseDataKeyRing } from '../../shared/adapters/crypto/data-keys.js';
import { generateStoredKey, StaticKeyRing } from '../../shared/adapters/crypto/key-ring.js';
import { AWS_JWT_VERIFY_ACCESS_TOKEN_SIGNATURE } from '../../shared/adapters/jwt/aws-jwt-verify-signature.js';
import { MemoryAuditLog } from '../../shared/adapters/memory/audit-log.js';
import { MemoryCounters } from '../../shared/adapters/memory/counters.js';
import { MemoryMailer } from '../../shared/adapters/memory/mailer.js';
import { MemoryStore } from '../../shared/adapters/memory/store.js';
import { legacyPasswordsOf } from '../../shared/adapters/secrets/import-peppers.js';
import { loadConfig } from '../../shared/config.js';
import { withAuditMirror } from '../../shared/flows/audit.js';
import type { Deps } from '../../shared/flows/deps.js';
import { sendOutboxMail } from '../../shared/flows/mail-sender.js';
import { defaultTemplates } from '../../shared/mail/templates.js';
import type { Log, PasswordHasher } from '../../shared/ports/services.js';

/** A clock the test moves by hand. */
export class TestClock {
  constructor(public ms = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** A log that keeps every line, for log-hygiene checks. */
export class CapturingLog implements Log {
  readonly lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  info(message: string, fields: Record<string, unknown> = {}) {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields: Record<string, unknown> = {}) {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields: Record<string, unknown> = {}) {
    this.lines.push({ level: 'error', message, fields });
  }
}

/** A hasher that counts calls around the real argon2id one. */
export class CountingHasher implements PasswordHasher {
  hashes = 0;
  verifies = 0;
  private readonly inner = new Argon2Hasher();
  hash(password: string) {
    this.hashes += 1;
    return this.inner.hash(password);
  }
  hashLookupSecret(secret: string) {
    this.hashes += 1;
    return this.inner.hashLookupSecret(secret);
  }
  verify(hash: string, password: string) {
    this.verifies += 1;
    return this.inner.verify(hash, password);
  }
}

export type MemoryDeps = Deps & {
  store: MemoryStore;
  counters: MemoryCounters;
  mailer: MemoryMailer;
  clock: TestClock;
  log: CapturingLog;
  hasher: CountingHasher;
};

/** Deps with in-memory adapters, the real argon2id hasher and a fresh signing key. */
export async function memoryDeps(env: Record<string, string> = {}): Promise<MemoryDeps> {
  const key = await generateStoredKey('test-1');
  const clock = new TestClock();
  const log = new CapturingLog();
  const auditKey = crypto.getRandomValues(new Uint8Array(32));
  // The store checks expiry against the same clock the flows use; its commits mirror audit events to the log.
  const store = withAuditMirror(new MemoryStore(clock), log);
  const dataKeyRing = parseDataKeyRing(generateDataKeyRing(), 'test data keys');
  const deps: MemoryDeps = {
    config: loadConfig({ AUTH_ISSUER: 'https://auth.test', APP_URL: 'https://app.test', ...env }),
    store,
    auditKey: { key: async () => auditKey },
    auditLog: new MemoryAuditLog(store, clock),
    dataKeys: new AesGcmDataKeys(async () => dataKeyRing),
    counters: new MemoryCounters(),
    hasher: new CountingHasher(),
    keys: new StaticKeyRing([key]),
    // What the functions with an authenticated route compose (`WITH_TOKEN_CHECK`); the authorizer passes aws-jwt-verify itself.
    accessTokenSignature: AWS_JWT_VERIFY_ACCESS_TOKEN_SIGNATURE,
    mailer: new MemoryMailer(),
    templates: defaultTemplates,
    breached: lazyBreachedPasswords(breachedPasswordsFile({})),
    commonPasswords: lazyCommonPasswords(commonPasswordsFile({})),
    clock,
    log,
    legacy: legacyPasswordsOf(env),
  };
  deliverOutboxAtOnce(deps);
  return deps;
}

/**
 * Wires the memory store's outbox to the mail sender, as the table's stream is wired on AWS: a
 * mail is delivered (hooks, then `deps.mailer`) when the commit that queued it returns. A
 * delivery that fails stays in `store.outbox` (as a stream record would wait for its retry).
 */
export function deliverOutboxAtOnce(deps: Deps & { store: MemoryStore }): void {
  deps.store.onEnqueued = async (mails) => {
    for (const mail of mails) await sendOutboxMail({ ...deps, templates: deps.templates ?? defaultTemplates }, mail).catch(() => undefined);
  };
}

/** The token of the last link of a kind mailed to an address by the memory mailer. */
export function lastMailedToken(deps: MemoryDeps, address: string, path: string): string {
  const mails = deps.mailer.to(address);
  for (let i = mails.length - 1; i >= 0; i--) {
    const match = new RegExp(`/${path}/([A-Za-z0-9._~-]+)`).exec(mails[i]?.text ?? '');
    if (match?.[1]) return match[1];
  }
  throw new Error(`no ${path} link mailed`);
}
