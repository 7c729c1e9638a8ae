import { createCipheriv, createHash, pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { hashPassword as betterAuthHash } from 'better-auth/crypto';
import type { PasswordImport } from '../../shared/domain/legacy-hashes.js';

/**
 * One hash per supported format, made from a known password the way the source systems make
 * them (each written here from the source system's documented algorithm, independently of
 * `shared/domain/legacy-hashes.ts`; Better Auth's comes from the `better-auth` package itself).
 */

export const LEGACY_PASSWORD = 'correct horse battery';
export const PEPPER_ID = 'devise-2024';
export const PEPPER = 'a devise pepper that never leaves the secret';
export const PEPPERS_JSON = JSON.stringify({ [PEPPER_ID]: PEPPER });

const b64 = (bytes: Buffer) => bytes.toString('base64');
/** pbkdf2_elixir / Passlib's adapted Base64: `.` for `+`, no padding. */
const ab64 = (bytes: Buffer) => bytes.toString('base64').replace(/\+/g, '.').replace(/=+$/, '');
const nopad = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

export interface LegacyFixture {
  name: string;
  password: PasswordImport;
  /** Needs `--allow-weak-hashes`. */
  weak?: boolean;
}

/** Pow's default: PBKDF2-SHA512, 100,000 iterations, 16-byte salt, 64-byte key, Base64 with padding. */
export function powHash(password: string, iterations = 100_000): string {
  const salt = randomBytes(16);
  return `$pbkdf2-sha512$${iterations}$${b64(salt)}$${b64(pbkdf2Sync(password, salt, iterations, 64, 'sha512'))}`;
}

/** Firebase's modified scrypt with a generated signer key. */
function firebaseHash(password: string): string {
  const [ln, r, p] = [14, 8, 1];
  const salt = randomBytes(16);
  const separator = Buffer.from('Bw==', 'base64');
  const signerKey = randomBytes(64);
  const key = scryptSync(password, Buffer.concat([salt, separator]), 32, { N: 2 ** ln, r, p, maxmem: 64 * 1024 * 1024 });
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16, 0));
  const hash = Buffer.concat([cipher.update(signerKey), cipher.final()]);
  return `$firescrypt$ln=${ln},r=${r},p=${p}$${b64(salt)}$${b64(hash)}$${b64(separator)}$${b64(signerKey)}`;
}

/** Every format, from {@link LEGACY_PASSWORD}. Costs are low where the format allows (tests stay quick). */
export async function legacyFixtures(password = LEGACY_PASSWORD): Promise<LegacyFixture[]> {
  const salt = randomBytes(16);
  const pbkdf2Key = pbkdf2Sync(password, salt, 29_000, 32, 'sha256');
  const scryptSalt = randomBytes(16);
  const weak = (alg: 'md5' | 'sha1' | 'sha256' | 'sha512', input = password) => createHash(alg).update(input).digest('hex');
  return [
    {
      name: 'argon2id (other parameters)',
      password: { format: 'argon2', hash: await argon2Hash(password, { algorithm: 2, memoryCost: 8192, timeCost: 3, parallelism: 1 }) },
    },
    { name: 'argon2i', password: { format: 'argon2', hash: await argon2Hash(password, { algorithm: 1, memoryCost: 4096, timeCost: 3, parallelism: 1 }) } },
    { name: 'bcrypt $2b$', password: { format: 'bcrypt', hash: bcrypt.hashSync(password, 4) } },
    { name: 'bcrypt $2y$ (PHP)', password: { format: 'bcrypt', hash: bcrypt.hashSync(password, 5).replace(/^\$2b\$/, '$2y$') } },
    { name: "Devise's bcrypt with a pepper", password: { format: 'bcrypt', hash: bcrypt.hashSync(`${password}${PEPPER}`, 4), pepperId: PEPPER_ID } },
    { name: "Pow's pbkdf2 (Base64 with padding)", password: { format: 'pbkdf2', hash: powHash(password, 1000) } },
    { name: 'pbkdf2_elixir / Passlib (adapted Base64)', password: { format: 'pbkdf2', hash: `$pbkdf2-sha256$29000$${ab64(salt)}$${ab64(pbkdf2Key)}` } },
    {
      name: 'pbkdf2-sha1 (Passlib)',
      password: { format: 'pbkdf2', hash: `$pbkdf2-sha1$1000$${ab64(salt)}$${ab64(pbkdf2Sync(password, salt, 1000, 20, 'sha1'))}` },
    },
    {
      name: 'Kratos pbkdf2',
      password: { format: 'pbkdf2-kratos', hash: `$pbkdf2-sha256$i=1000,l=32$${nopad(salt)}$${nopad(pbkdf2Sync(password, salt, 1000, 32, 'sha256'))}` },
    },
    {
      name: 'scrypt (Passlib layout)',
      password: {
        format: 'scrypt',
        hash: `$scrypt$ln=10,r=8,p=1$${ab64(scryptSalt)}$${ab64(scryptSync(password, scryptSalt, 32, { N: 1024, r: 8, p: 1 }))}`,
      },
    },
    { name: "Better Auth's hashPassword", password: { format: 'better-auth-scrypt', hash: await betterAuthHash(password) } },
    { name: 'Firebase scrypt (generated signer key)', password: { format: 'firebase-scrypt', hash: firebaseHash(password) } },
    { name: 'md5 (unsalted)', password: { format: 'md5', hash: weak('md5') }, weak: true },
    { name: 'sha1 (salt as suffix)', password: { format: 'sha1', hash: weak('sha1', `${password}NaCl`), salt: 'NaCl', saltPosition: 'suffix' }, weak: true },
    {
      name: 'sha256 (salt as prefix)',
      password: { format: 'sha256', hash: weak('sha256', `NaCl${password}`), salt: 'NaCl', saltPosition: 'prefix' },
      weak: true,
    },
    { name: 'sha512 (upper-case hex)', password: { format: 'sha512', hash: weak('sha512').toUpperCase() }, weak: true },
  ];
}
