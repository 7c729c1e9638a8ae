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
