import { createCipheriv, createHash, pbkdf2, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashes made by other systems (`docs/specs/import-export.md` §4): their layouts, the
 * bounds that keep one verification from tying up a function, and their verification with
 * `node:crypto`. bcrypt and argon2 need libraries: the caller passes them in
 * ({@link LegacyEngines}), so this module stays pure of adapters.
 *
 * Nothing is guessed from a hash: the `format` says what it is.
 */

/** Formats a line of an import may name. */
export const IMPORT_FORMATS = [
  'argon2',
  'bcrypt',
  'pbkdf2',
  'pbkdf2-kratos',
  'scrypt',
  'better-auth-scrypt',
  'firebase-scrypt',
  'md5',
  'sha1',
  'sha256',
  'sha512',
  'wrapped-md5',
  'wrapped-sha1',
  'wrapped-sha256',
  'wrapped-sha512',
] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** Unsalted or fast digests: accepted only with `--allow-weak-hashes`, and never stored as they are. */
export const WEAK_FORMATS = ['md5', 'sha1', 'sha256', 'sha512'] as const;
export type WeakFormat = (typeof WEAK_FORMATS)[number];
export type WrappedFormat = `wrapped-${WeakFormat}`;

/** What a user item's `passwordFormat` may hold (absent: Latch's argon2id). Weak formats are stored wrapped. */
export type StoredFormat = Exclude<ImportFormat, WeakFormat>;

export type SaltPosition = 'prefix' | 'suffix';

/** The `password` member of an import line. */
export interface PasswordImport {
  format: ImportFormat;
  hash: string;
  pepperId?: string | undefined;
  salt?: string | undefined;
  saltPosition?: SaltPosition | undefined;
}

/** The bounds of §4. */
export const LEGACY_BOUNDS = {
  argon2: { maxMemoryKiB: 65536, maxTime: 10, maxParallelism: 4 },
  bcrypt: { minCost: 4, maxCost: 14 },
  pbkdf2: { minIterations: 1000, maxIterations: 10_000_000 },
  scrypt: { maxLn: 20, maxR: 16, maxP: 4 },
} as const;

/** Latch's own argon2id parameters (`ARGON2_PARAMS` of the hasher): such a hash is kept as it is. */
const LATCH_ARGON2 = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

const B64 = '[A-Za-z0-9+/.]+={0,2}';
const ARGON2 = /^\$argon2(id|i|d)\$v=(16|19)\$m=(\d{1,9}),t=(\d{1,9}),p=(\d{1,9})\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/;
const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const PBKDF2 = new RegExp(`^\\$pbkdf2-(sha1|sha256|sha512)\\$(\\d{1,9})\\$(${B64})\\$(${B64})$`);
const PBKDF2_KRATOS = new RegExp(`^\\$pbkdf2-(sha1|sha256|sha512)\\$i=(\\d{1,9}),l=(\\d{1,4})\\$(${B64})\\$(${B64})$`);
const SCRYPT = new RegExp(`^\\$scrypt\\$ln=(\\d{1,3}),r=(\\d{1,3}),p=(\\d{1,3})\\$(${B64})\\$(${B64})$`);
const BETTER_AUTH = /^([0-9a-f]{32}):([0-9a-f]{128})$/;
const FIREBASE = new RegExp(`^\\$firescrypt\\$ln=(\\d{1,3}),r=(\\d{1,3}),p=(\\d{1,3})\\$(${B64})\\$(${B64})\\$(${B64})\\$(${B64})$`);
const DIGEST_HEX: Record<WeakFormat, number> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };

export function isImportFormat(value: unknown): value is ImportFormat {
  return typeof value === 'string' && (IMPORT_FORMATS as readonly string[]).includes(value);
}

export function isWeakFormat(format: string): format is WeakFormat {
  return (WEAK_FORMATS as readonly string[]).includes(format);
}

export function isWrappedFormat(format: string): format is WrappedFormat {
  return format.startsWith('wrapped-') && isWeakFormat(format.slice('wrapped-'.length));
}

/** True for an argon2id hash at Latch's parameters: kept as the final hash, no `passwordFormat`. */
export function isLatchArgon2(hash: string): boolean {
  return LATCH_ARGON2.test(hash);
}

/** Standard Base64 with or without padding, or the adapted one (`.` for `+`): bytes. */
export function decodeLegacyBase64(text: string): Buffer {
  return Buffer.from(text.replace(/\./g, '+'), 'base64');
}

function argon2Problem(hash: string): string | undefined {
  const match = ARGON2.exec(hash);
  if (!match) return 'is not an argon2 hash ($argon2id$v=19$m=…,t=…,p=…$salt$hash)';
  const [m, t, p] = [Number(match[3]), Number(match[4]), Number(match[5])];
  const b = LEGACY_BOUNDS.argon2;
  if (m > b.maxMemoryKiB || t > b.maxTime || p > b.maxParallelism || m < 8 || t < 1 || p < 1) {
    return `has parameters beyond the bounds (m ≤ ${b.maxMemoryKiB}, t ≤ ${b.maxTime}, p ≤ ${b.maxParallelism})`;
  }
  return undefined;
}

function iterationsProblem(iterations: number): string | undefined {
  const b = LEGACY_BOUNDS.pbkdf2;
  return iterations < b.minIterations || iterations > b.maxIterations ? `has iterations beyond the bounds (${b.minIterations}–${b.maxIterations})` : undefined;
}

function scryptProblem(ln: number, r: number, p: number): string | undefined {
  const b = LEGACY_BOUNDS.scrypt;
  return ln < 1 || ln > b.maxLn || r < 1 || r > b.maxR || p < 1 || p > b.maxP
    ? `has parameters beyond the bounds (ln ≤ ${b.maxLn}, r ≤ ${b.maxR}, p ≤ ${b.maxP})`
    : undefined;
}

/**
 * Why a `password` member cannot be imported (a message after "hash "), or undefined when its
 * hash parses and its parameters are within the bounds. Salt rules of the weak formats included.
 */
export function legacyHashProblem(password: Pick<PasswordImport, 'format' | 'hash' | 'salt' | 'saltPosition'>): string | undefined {
  const { format, hash } = password;
  if (typeof hash !== 'string' || hash.length === 0 || hash.length > 1024) return 'must be a non-empty string of at most 1024 characters';
  const salted = password.salt !== undefined || password.saltPosition !== undefined;
  if (salted && !isWeakFormat(format) && !isWrappedFormat(format)) return `takes no salt member in the format ${format} (its salt is inside the hash)`;
  if (salted && (typeof password.salt !== 'string' || (password.saltPosition !== 'prefix' && password.saltPosition !== 'suffix'))) {
    return 'needs both salt (a string) and saltPosition (prefix or suffix)';
  }
  switch (format) {
    case 'argon2':
      return argon2Problem(hash);
    case 'bcrypt': {
      const match = BCRYPT.exec(hash);
      if (!match) return 'is not a bcrypt hash ($2a$, $2b$ or $2y$, cost, 53 characters)';
      const cost = Number(match[1]);
      const b = LEGACY_BOUNDS.bcrypt;
      return cost < b.minCost || cost > b.maxCost ? `has a cost beyond the bounds (${b.minCost}–${b.maxCost})` : undefined;
    }
    case 'pbkdf2': {
      const match = PBKDF2.exec(hash);
      if (!match) return 'is not a pbkdf2 hash ($pbkdf2-<sha1|sha256|sha512>$<iterations>$<salt>$<hash>)';
      if (decodeLegacyBase64(match[4] as string).length < 16) return 'has a derived key shorter than 16 bytes';
      return iterationsProblem(Number(match[2]));
    }
    case 'pbkdf2-kratos': {
      const match = PBKDF2_KRATOS.exec(hash);
      if (!match) return 'is not a Kratos pbkdf2 hash ($pbkdf2-<alg>$i=<iterations>,l=<length>$<salt>$<hash>)';
      const length = Number(match[3]);
      if (length < 16 || length > 256 || decodeLegacyBase64(match[5] as string).length !== length) return 'has a key length that does not match its hash';
      return iterationsProblem(Number(match[2]));
    }
    case 'scrypt': {
      const match = SCRYPT.exec(hash);
      if (!match) return 'is not an scrypt hash ($scrypt$ln=…,r=…,p=…$<salt>$<hash>)';
      if (decodeLegacyBase64(match[5] as string).length < 16) return 'has a derived key shorter than 16 bytes';
      return scryptProblem(Number(match[1]), Number(match[2]), Number(match[3]));
    }
    case 'better-auth-scrypt':
      return BETTER_AUTH.test(hash) ? undefined : 'is not a Better Auth hash (<32 hex salt>:<128 hex key>)';
    case 'firebase-scrypt': {
      const match = FIREBASE.exec(hash);
      if (!match) return 'is not a Firebase scrypt hash ($firescrypt$ln=…,r=…,p=…$<salt>$<hash>$<saltSeparator>$<signerKey>)';
      if (decodeLegacyBase64(match[5] as string).length < 16) return 'has a hash shorter than 16 bytes';
      return scryptProblem(Number(match[1]), Number(match[2]), Number(match[3]));
    }
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512':
      return new RegExp(`^[0-9a-fA-F]{${DIGEST_HEX[format]}}$`).test(hash) ? undefined : `is not a hex ${format} digest`;
    default:
      if (isWrappedFormat(format)) return argon2Problem(hash);
      return 'has an unknown format';
  }
}

/** The libraries a verification may need (argon2 and bcrypt live in adapters). */
export interface LegacyEngines {
  /** Verifies any argon2 PHC string (argon2id, argon2i, argon2d). */
  argon2Verify(hash: string, password: string): Promise<boolean>;
  /** Verifies a bcrypt hash (only the first 72 bytes of the password count). */
  bcryptVerify(hash: string, password: string): Promise<boolean>;
}

/** The stored legacy hash of a user, with what verifying it needs. */
export interface LegacyHash {
  format: StoredFormat;
  hash: string;
  /** The pepper itself (looked up by `pepperId`), appended to the password. */
  pepper?: string | undefined;
  salt?: string | null | undefined;
  saltPosition?: SaltPosition | null | undefined;
}

/** The hex digest a weak format computes (with its salt where it goes). */
export function weakDigest(algorithm: WeakFormat, password: string, salt?: string | null, position?: SaltPosition | null): string {
  const input = salt ? (position === 'prefix' ? `${salt}${password}` : `${password}${salt}`) : password;
  return createHash(algorithm).update(input, 'utf8').digest('hex');
}

function equalBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

function pbkdf2Bytes(password: string, salt: Buffer, iterations: number, length: number, digest: string): Promise<Buffer> {
  return new Promise((resolve, reject) => pbkdf2(password, salt, iterations, length, digest, (error, key) => (error ? reject(error) : resolve(key))));
}

function scryptBytes(password: string | Buffer, salt: Buffer | string, length: number, ln: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** ln;
  const maxmem = 128 * N * r * 2 + 1024 * 1024;
  return new Promise((resolve, reject) => scrypt(password, salt, length, { N, r, p, maxmem }, (error, key) => (error ? reject(error) : resolve(key))));
}

/**
 * Whether `password` matches a legacy hash. False for a wrong password and for a hash that does
 * not parse or breaks the bounds (checked again here: the table is not trusted to hold only what
 * the import let in). Derived keys are compared in constant time.
 */
export async function verifyLegacyHash(stored: LegacyHash, password: string, engines: LegacyEngines): Promise<boolean> {
  const { format, hash } = stored;
  if (legacyHashProblem({ format, hash, salt: stored.salt ?? undefined, saltPosition: stored.saltPosition ?? undefined }) !== undefined) return false;
  const peppered = `${password}${stored.pepper ?? ''}`;
  switch (format) {
    case 'argon2':
      return engines.argon2Verify(hash, peppered);
    case 'bcrypt':
      return engines.bcryptVerify(hash, peppered);
    case 'pbkdf2': {
      const [, digest, iterations, salt, key] = PBKDF2.exec(hash) as RegExpExecArray;
      const expected = decodeLegacyBase64(key as string);
      const derived = await pbkdf2Bytes(peppered, decodeLegacyBase64(salt as string), Number(iterations), expected.length, digest as string);
      return equalBytes(derived, expected);
    }
    case 'pbkdf2-kratos': {
      const [, digest, iterations, length, salt, key] = PBKDF2_KRATOS.exec(hash) as RegExpExecArray;
      const derived = await pbkdf2Bytes(peppered, decodeLegacyBase64(salt as string), Number(iterations), Number(length), digest as string);
      return equalBytes(derived, decodeLegacyBase64(key as string));
    }
    case 'scrypt': {
      const [, ln, r, p, salt, key] = SCRYPT.exec(hash) as RegExpExecArray;
      const expected = decodeLegacyBase64(key as string);
      const derived = await scryptBytes(peppered, decodeLegacyBase64(salt as string), expected.length, Number(ln), Number(r), Number(p));
      return equalBytes(derived, expected);
    }
    case 'better-auth-scrypt': {
      // Better Auth's hashPassword: scrypt(NFKC(password), the salt's hex TEXT, N=16384, r=16, p=1, 64 bytes).
      const [, salt, key] = BETTER_AUTH.exec(hash) as RegExpExecArray;
      const derived = await scryptBytes(peppered.normalize('NFKC'), salt as string, 64, 14, 16, 1);
      return equalBytes(derived, Buffer.from(key as string, 'hex'));
    }
    case 'firebase-scrypt': {
      // Firebase's modified scrypt: key = scrypt(password, salt ‖ separator, 32 bytes); the hash
      // is the signer key encrypted with AES-256-CTR under that key and a zero IV.
      const [, ln, r, p, salt, expected, separator, signerKey] = FIREBASE.exec(hash) as RegExpExecArray;
      const saltBytes = Buffer.concat([decodeLegacyBase64(salt as string), decodeLegacyBase64(separator as string)]);
      const key = await scryptBytes(peppered, saltBytes, 32, Number(ln), Number(r), Number(p));
      const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16, 0));
      const derived = Buffer.concat([cipher.update(decodeLegacyBase64(signerKey as string)), cipher.final()]);
      return equalBytes(derived, decodeLegacyBase64(expected as string));
    }
    default: {
      if (!isWrappedFormat(format)) return false;
      const algorithm = format.slice('wrapped-'.length) as WeakFormat;
      return engines.argon2Verify(hash, weakDigest(algorithm, peppered, stored.salt, stored.saltPosition));
    }
  }
}

/**
 * How a stored format shows up in the item's `passwordHash`: a wrapped digest is kept as
 * `wrapped-<alg>:<argon2id>`, so a hash a Latch flow writes later (a plain `$argon2id$…`, e.g.
 * after a password reset) can never be mistaken for a wrapped one (which would make the hex
 * digest itself a password).
 */
export function storedHashOf(format: StoredFormat, hash: string): string {
  return isWrappedFormat(format) ? `${format}:${hash}` : hash;
}

/** The inverse of {@link storedHashOf}: the hash as the format's layout has it (for verification and export). */
export function formatHashOf(format: StoredFormat, stored: string): string | undefined {
  if (!isWrappedFormat(format)) return stored;
  return stored.startsWith(`${format}:`) ? stored.slice(format.length + 1) : undefined;
}
