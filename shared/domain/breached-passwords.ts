import { createHash } from 'node:crypto';

/**
 * The offline breached-password list (docs/specs/audit-and-breached-passwords.md §7.1): sorted
 * 8-byte SHA-256 prefixes of the NFKC form of SecLists' top-1M passwords that are at least
 * {@link BREACHED_MIN_LENGTH} code points long. A lookup is a binary search over the file's
 * bytes, so loading costs one read and no parsing (a `Set` of the same strings would take
 * ~160 MB and ~280 ms).
 *
 * File format: a 16-byte header (`LBP1`, entry count as uint32 BE, minimum length as uint32 BE,
 * 4 zero bytes), then the entries as 8-byte big-endian values in ascending order.
 */
export const BREACHED_MAGIC = 'LBP1';
export const BREACHED_HEADER_BYTES = 16;
export const BREACHED_ENTRY_BYTES = 8;
/** The lowest password minimum Latch allows: shorter entries could never be chosen anyway. */
export const BREACHED_MIN_LENGTH = 8;

/** The 8-byte SHA-256 prefix of a password's NFKC form, as its two big-endian 32-bit halves (the lookup compares these). */
export function breachedKeyHalves(password: string): [high: number, low: number] {
  const digest = createHash('sha256').update(password.normalize('NFKC'), 'utf8').digest();
  return [digest.readUInt32BE(0), digest.readUInt32BE(4)];
}

/** The same prefix as an unsigned 64-bit integer (how the file stores it). */
export function breachedKey(password: string): bigint {
  const [high, low] = breachedKeyHalves(password);
  return (BigInt(high) << 32n) | BigInt(low);
}

/** Builds the file's bytes from entries (already filtered); sorts and removes duplicates. */
export function encodeBreachedList(keys: Iterable<bigint>, minLength = BREACHED_MIN_LENGTH): Buffer {
  const sorted = [...new Set(keys)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out = Buffer.alloc(BREACHED_HEADER_BYTES + sorted.length * BREACHED_ENTRY_BYTES);
  out.write(BREACHED_MAGIC, 0, 'latin1');
  out.writeUInt32BE(sorted.length, 4);
  out.writeUInt32BE(minLength, 8);
  sorted.forEach((key, i) => {
    out.writeBigUInt64BE(key, BREACHED_HEADER_BYTES + i * BREACHED_ENTRY_BYTES);
  });
  return out;
}

/** A loaded list: answers whether a password is in it. */
export interface BreachedPasswords {
  readonly entries: number;
  readonly minLength: number;
  has(password: string): boolean;
}

/**
 * Reads a list from the file's bytes. Throws a plain `Error` on a malformed file (wrong magic,
 * a size that disagrees with the count, entries out of order at the ends), so a broken artefact
 * fails at cold start and the check is never skipped silently.
 */
export function decodeBreachedList(bytes: Buffer): BreachedPasswords {
  if (bytes.length < BREACHED_HEADER_BYTES || bytes.toString('latin1', 0, 4) !== BREACHED_MAGIC) {
    throw new Error('breached-password list: not an LBP1 file');
  }
  const entries = bytes.readUInt32BE(4);
  const minLength = bytes.readUInt32BE(8);
  if (bytes.length !== BREACHED_HEADER_BYTES + entries * BREACHED_ENTRY_BYTES) {
    throw new Error(`breached-password list: ${bytes.length} bytes do not hold ${entries} entries`);
  }
  if (entries === 0) throw new Error('breached-password list: no entries');
  const at = (i: number) => bytes.readBigUInt64BE(BREACHED_HEADER_BYTES + i * BREACHED_ENTRY_BYTES);
  if (entries > 1 && at(0) > at(entries - 1)) throw new Error('breached-password list: entries are not sorted');
  return {
    entries,
    minLength,
    has(password: string): boolean {
      if ([...password].length < minLength) return false;
      // The 8-byte key as two 32-bit halves: the search compares numbers, no BigInt per probe.
      const [keyHigh, keyLow] = breachedKeyHalves(password);
      let low = 0;
      let high = entries - 1;
      while (low <= high) {
        const mid = (low + high) >>> 1;
        const offset = BREACHED_HEADER_BYTES + mid * BREACHED_ENTRY_BYTES;
        const valueHigh = bytes.readUInt32BE(offset);
        const valueLow = valueHigh === keyHigh ? bytes.readUInt32BE(offset + 4) : 0;
        if (valueHigh === keyHigh && valueLow === keyLow) return true;
        if (valueHigh < keyHigh || (valueHigh === keyHigh && valueLow < keyLow)) low = mid + 1;
        else high = mid - 1;
      }
      return false;
    },
  };
}
