import type { JWK } from 'jose';

/** Source of time, so tests can move it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Password hashing (argon2id in production). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password or an unparsable hash; never throws for those. */
  verify(hash: string, password: string): Promise<boolean>;
  /**
   * Hashes a random look-up secret (a recovery code: 80 random bits) with low-cost argon2id
   * (m=1024 KiB, t=1, p=1; `docs/specs/mfa-and-passkeys.md` §6.2). `verify` checks it.
   */
  hashLookupSecret(secret: string): Promise<string>;
}

/** A private key to sign access tokens with. */
export interface SigningKey {
  kid: string;
  alg: 'EdDSA';
  key: CryptoKey;
}

/**
 * The signing keys: the current one signs; the current and previous public keys verify and are
 * published in the JWKS, so a rotation signs nobody out.
 */
export interface KeyRing {
  signingKey(): Promise<SigningKey>;
  /** The public key with this `kid`, if it is current or previous. */
  verificationKey(kid: string): Promise<CryptoKey | undefined>;
  /** Public JWKs only: no private members. */
  publicJwks(): Promise<{ keys: JWK[] }>;
  /**
   * The same public keys, as one frozen object per loaded ring: it stays the same object until
   * the ring changes (a rotation), so a verifier built from it can be cached on it.
   */
  publicKeySet(): Promise<PublicKeySet>;
}

/** The public keys of a loaded ring (frozen; identity changes only when the ring does). */
export interface PublicKeySet {
  readonly keys: readonly JWK[];
}

/** One mail, always to a stored address. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends mail (SES in production). */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** Structured logging that never receives secrets (see SECURITY.md, log hygiene). */
export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * The audit key: 32 random bytes (its own Secrets Manager secret on AWS, never rotated), the HMAC
 * key of the `emailHash` of audit events. Without it an `emailHash` cannot be tested against
 * guessed addresses.
 */
export interface AuditKey {
  key(): Promise<Uint8Array>;
}

/** What a data key protects: the AES-GCM additional data binds a ciphertext to it and to one user. */
export type DataKeyPurpose = 'totp' | 'totp_pending';

/** Whose secret, for what: a ciphertext decrypts only under the binding it was made with. */
export interface DataKeyBinding {
  purpose: DataKeyPurpose;
  userId: string;
}

/** A decrypted secret, and whether its key is no longer the ring's current one (re-encrypt it on its next write). */
export interface Decrypted {
  plaintext: string;
  stale: boolean;
}

/**
 * The data-key ring (`docs/specs/mfa-and-passkeys.md` §9): encrypts secrets at rest (TOTP
 * secrets) with AES-256-GCM under the ring's current key, the key id in the stored form so the
 * ring can rotate. Loaded once per container; only the functions that need it may read it.
 */
export interface DataKeys {
  /** `v1.<kid>.<iv>.<ciphertext+tag>` (base64url parts). */
  encrypt(plaintext: string, binding: DataKeyBinding): Promise<string>;
  /**
   * The plaintext; undefined when the ciphertext is malformed or fails authentication (another
   * user's or purpose's, or tampered with). A key id the ring does not know reloads the ring
   * (at most once a minute), then throws `ServiceUnavailableError`.
   */
  decrypt(stored: string, binding: DataKeyBinding): Promise<Decrypted | undefined>;
}
