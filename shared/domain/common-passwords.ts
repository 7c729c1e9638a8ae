import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/**
 * Common passwords shorter than this are left out of the list: `AUTH_PASSWORD_MIN_LENGTH` cannot
 * go below it, so the length rule refuses them before the list is consulted. (This cuts
 * zxcvbn-ts' 49,000 entries to about 18,000.)
 */
export const COMMON_PASSWORD_MIN_LENGTH = 8;

/** The entries Latch keeps from a dictionary: lower-cased, at least the minimum length, unique, sorted. */
export function commonPasswordEntries(list: readonly unknown[]): string[] {
  const kept = new Set<string>();
  for (const entry of list) {
    const word = String(entry).toLowerCase();
    if ([...word].length >= COMMON_PASSWORD_MIN_LENGTH) kept.add(word);
  }
  return [...kept].sort();
}

/** Longest shared prefix written as one base-36 digit. */
const MAX_PREFIX = 35;

/**
 * The data file's format (`shared/domain/common-passwords.bin`, shipped beside the bundle of the
 * functions that set passwords and read on first use): `LCP1`, the entry count as uint32 BE, then
 * the sorted list front-coded (each line: how many leading characters it shares with the previous
 * word, as one base-36 digit, then the rest) and brotli-compressed.
 */
export const COMMON_MAGIC = 'LCP1';
const HEADER_BYTES = 8;

/** The data file's bytes for a sorted word list. */
export function encodeWordList(sorted: readonly string[]): Buffer {
  let previous = '';
  const lines = sorted.map((word) => {
    let shared = 0;
    while (shared < MAX_PREFIX && shared < previous.length && shared < word.length && previous[shared] === word[shared]) shared++;
    previous = word;
    return `${shared.toString(36)}${word.slice(shared)}`;
  });
  const params = { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT };
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(COMMON_MAGIC, 0, 'latin1');
  header.writeUInt32BE(sorted.length, 4);
  return Buffer.concat([header, brotliCompressSync(Buffer.from(lines.join('\n'), 'utf8'), { params })]);
}

/**
 * The inverse of {@link encodeWordList}. Throws a plain `Error` on a malformed file (wrong magic,
 * a payload that does not decompress, a count that disagrees), so a broken file is never read as
 * an empty list.
 */
export function decodeWordList(bytes: Uint8Array): string[] {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length < HEADER_BYTES || data.toString('latin1', 0, 4) !== COMMON_MAGIC) throw new Error('common-password list: not an LCP1 file');
  const count = data.readUInt32BE(4);
  const text = brotliDecompressSync(data.subarray(HEADER_BYTES)).toString('utf8');
  const words: string[] = [];
  let previous = '';
  if (text !== '') {
    for (const line of text.split('\n')) {
      // Shared prefixes count UTF-16 units on both sides (slice), so any character round-trips.
      previous = previous.slice(0, Number.parseInt(line.charAt(0), 36)) + line.slice(1);
      words.push(previous);
    }
  }
  if (words.length !== count) throw new Error(`common-password list: ${words.length} entries, the header says ${count}`);
  return words;
}

/** A loaded common-password list. */
export interface CommonPasswords {
  /** True when the password, lower-cased, is in the list. */
  has(password: string): boolean;
}

/** The list of a data file's bytes (see {@link decodeWordList}). */
export function decodeCommonPasswords(bytes: Uint8Array): CommonPasswords {
  const words = new Set(decodeWordList(bytes));
  return { has: (password) => words.has(password.toLowerCase()) };
}
