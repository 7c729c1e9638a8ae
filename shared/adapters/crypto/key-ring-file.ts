import { randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { parseKeySecret, type StoredKey } from './key-ring.js';

/**
 * The local runner's signing key ring: a JSON file (`{ "keys": StoredKey[] }`, the private
 * secret's format) that the functions read again after `AUTH_KEY_RING_TTL_SECONDS` and that
 * `latch keys` rotates. Local only: on AWS the ring is in Secrets Manager.
 */
export async function readKeyRingFile(file: string): Promise<StoredKey[]> {
  return parseKeySecret(await readFile(file, 'utf8'));
}

/** Replaces the file in one step (write beside it, then rename), so a reader never sees half a ring. */
export async function writeKeyRingFile(file: string, ring: readonly StoredKey[]): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ keys: ring }, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}
