import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/**
 * Common passwords shorter than this are left out of the embedded list: `AUTH_PASSWORD_MIN_LENGTH`
 * cannot go below it, so the length rule refuses them before the list is consulted. (This cuts
 * zxcvbn-ts' 49,000 entries to about 18,000 and the functions that check passwords from about
 * 510 KB to about 150 KB.)
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

/** Z85 (ZeroMQ RFC 32): 4 bytes in 5 characters, none of them a quote or a backslash. */
const Z85 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

/** Z85 of the bytes, after a one-byte count of the zero bytes padded to a multiple of 4. */
function toZ85(bytes: Uint8Array): string {
  const pad = (4 - ((bytes.length + 1) % 4)) % 4;
  const data = new Uint8Array(bytes.length + 1 + pad);
  data[0] = pad;
  data.set(bytes, 1);
  const view = new DataView(data.buffer);
  let out = '';
  for (let i = 0; i < data.length; i += 4) {
    let value = view.getUint32(i);
    let chunk = '';
    for (let j = 0; j < 5; j++) {
      chunk = Z85[value % 85] + chunk;
      value = Math.floor(value / 85);
    }
    out += chunk;
  }
  return out;
}

function fromZ85(text: string): Uint8Array {
  const data = new Uint8Array((text.length / 5) * 4);
  const view = new DataView(data.buffer);
  for (let i = 0, o = 0; i < text.length; i += 5, o += 4) {
    let value = 0;
    for (let j = 0; j < 5; j++) value = value * 85 + Z85.indexOf(text.charAt(i + j));
    view.setUint32(o, value);
  }
  return data.subarray(1, data.length - (data[0] ?? 0));
}

/**
 * A sorted word list, front-coded (each line: how many leading characters it shares with the
 * previous word, as one base-36 digit, then the rest), brotli-compressed, as Z85 text (a quarter
 * smaller than base64 in a bundle).
 */
export function encodeWordList(sorted: readonly string[]): string {
  let previous = '';
  const lines = sorted.map((word) => {
    let shared = 0;
    while (shared < MAX_PREFIX && shared < previous.length && shared < word.length && previous[shared] === word[shared]) shared++;
    previous = word;
    return `${shared.toString(36)}${word.slice(shared)}`;
  });
  const params = { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT };
  return toZ85(brotliCompressSync(Buffer.from(lines.join('\n'), 'utf8'), { params }));
}

/** The inverse of {@link encodeWordList}. */
export function decodeWordList(z85: string): string[] {
  const text = brotliDecompressSync(fromZ85(z85)).toString('utf8');
  if (text === '') return [];
  const words: string[] = [];
  let previous = '';
  for (const line of text.split('\n')) {
    // Shared prefixes count UTF-16 units on both sides (slice), so any character round-trips.
    previous = previous.slice(0, Number.parseInt(line.charAt(0), 36)) + line.slice(1);
    words.push(previous);
  }
  return words;
}
