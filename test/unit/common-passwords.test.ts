import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { packageCommonPasswords } from '../../infra/build/common-passwords.js';
import { commonPasswordsFile, lazyCommonPasswords, loadCommonPasswords } from '../../shared/adapters/breached-passwords/common.js';
import { loadConfig } from '../../shared/config.js';
import { COMMON_PASSWORD_MIN_LENGTH, commonPasswordEntries, decodeWordList, encodeWordList } from '../../shared/domain/common-passwords.js';
import { ServiceUnavailableError } from '../../shared/domain/errors.js';

test('the common-password data file is exactly what the zxcvbn-ts package holds (run npm run generate:common-passwords after an upgrade)', () => {
  const shipped = decodeWordList(readFileSync(commonPasswordsFile({})));
  const fromPackage = packageCommonPasswords();
  assert.ok(fromPackage.length > 10000, 'the package list is there');
  assert.deepEqual(shipped, fromPackage);
});

test('every entry the list leaves out is refused by the length rule first: the minimum length cannot go below it', () => {
  assert.throws(() => loadConfig({ AUTH_PASSWORD_MIN_LENGTH: String(COMMON_PASSWORD_MIN_LENGTH - 1) }));
  assert.equal(loadConfig({}).passwordMinLength >= COMMON_PASSWORD_MIN_LENGTH, true);
  assert.deepEqual(commonPasswordEntries(['Passw0rd!', 'short', 'PASSW0RD!', 'ÄÖÜäöüßé']), ['passw0rd!', 'äöüäöüßé']);
});

test('the word-list encoding round-trips long shared prefixes, non-ASCII words and an empty list', () => {
  const words = ['aaaaaaaaaaaaaaab', 'aaaaaaaaaaaaaaac', 'aaaaaaaaaaaaaaacd', 'zebra😀😀', 'zebra😀😀x', 'zzzzzzzz'];
  assert.deepEqual(decodeWordList(encodeWordList(words)), words);
  assert.deepEqual(decodeWordList(encodeWordList([])), []);
  const common = loadCommonPasswords(commonPasswordsFile({}));
  assert.equal(common.has('P@ssw0rd'), true);
  assert.equal(common.has('correct horse battery staple'), false);
});

test('LATCH_COMMON_PASSWORDS_FILE names the list (CDK sets it beside the bundle); without it the repository copy is read', () => {
  assert.equal(commonPasswordsFile({ LATCH_COMMON_PASSWORDS_FILE: '/var/task/common-passwords.bin' }), '/var/task/common-passwords.bin');
  assert.equal(path.basename(commonPasswordsFile({})), 'common-passwords.bin');
});

test('a missing or malformed common-password list fails loudly on the first check, never answering "not common"', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'latch-common-'));
  try {
    assert.throws(() => loadCommonPasswords(path.join(dir, 'missing.bin')), { name: 'CommonPasswordListError', message: /missing\.bin cannot be read/ });
    // At a password check: 503 (retryable), the cause named for the log line.
    const missing = lazyCommonPasswords(path.join(dir, 'missing.bin'));
    const unavailable = (error: unknown) => error instanceof ServiceUnavailableError && (error.cause as Error | undefined)?.name === 'CommonPasswordListError';
    assert.throws(() => missing.has('password1'), unavailable);
    // Still refusing on the next check: a failure is not cached as an empty list.
    assert.throws(() => missing.has('password1'), unavailable);
    const bad = path.join(dir, 'bad.bin');
    writeFileSync(bad, 'not a list');
    assert.throws(() => loadCommonPasswords(bad), /malformed/);
    // A truncated payload (a broken copy) is malformed too, not a shorter list.
    const good = readFileSync(commonPasswordsFile({}));
    writeFileSync(bad, good.subarray(0, good.length - 100));
    assert.throws(() => loadCommonPasswords(bad), /malformed/);
    // The count in the header guards the payload: a list that decodes to fewer words is refused.
    const wrong = Buffer.from(encodeWordList(['aaaaaaaa', 'bbbbbbbb']));
    wrong.writeUInt32BE(3, 4);
    writeFileSync(bad, wrong);
    assert.throws(() => loadCommonPasswords(bad), /malformed \(common-password list: 2 entries, the header says 3\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
