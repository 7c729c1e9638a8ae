import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packageCommonPasswords } from '../../infra/build/common-passwords.js';
import { loadConfig } from '../../shared/config.js';
import { COMMON_PASSWORDS } from '../../shared/domain/common-passwords.data.js';
import { COMMON_PASSWORD_MIN_LENGTH, commonPasswordEntries, decodeWordList, encodeWordList } from '../../shared/domain/common-passwords.js';
import { isCommonPassword } from '../../shared/domain/password.js';

test('the embedded common-password list is exactly what the zxcvbn-ts package holds (run npm run generate:common-passwords after an upgrade)', () => {
  const embedded = decodeWordList(COMMON_PASSWORDS);
  const fromPackage = packageCommonPasswords();
  assert.ok(fromPackage.length > 10000, 'the package list is there');
  assert.deepEqual(embedded, fromPackage);
});

test('every entry the list leaves out is refused by the length rule first: the minimum length cannot go below it', () => {
  assert.throws(() => loadConfig({ AUTH_PASSWORD_MIN_LENGTH: String(COMMON_PASSWORD_MIN_LENGTH - 1) }));
  assert.equal(loadConfig({}).passwordMinLength >= COMMON_PASSWORD_MIN_LENGTH, true);
  assert.deepEqual(commonPasswordEntries(['Passw0rd!', 'short', 'PASSW0RD!', 'ÄÖÜäöüßé']), ['passw0rd!', 'äöüäöüßé']);
});

test('the word-list encoding round-trips long shared prefixes, non-ASCII words and every padding', () => {
  const words = ['aaaaaaaaaaaaaaab', 'aaaaaaaaaaaaaaac', 'aaaaaaaaaaaaaaacd', 'zebra😀😀', 'zebra😀😀x', 'zzzzzzzz'];
  assert.deepEqual(decodeWordList(encodeWordList(words)), words);
  assert.deepEqual(decodeWordList(encodeWordList([])), []);
  // Compressed lengths vary, so every Z85 padding (0-3 bytes) comes up.
  for (let n = 1; n <= 12; n++) {
    const list = Array.from({ length: n }, (_, i) => `word-${i}-${'x'.repeat(i * 7)}`).sort();
    assert.deepEqual(decodeWordList(encodeWordList(list)), list);
  }
  assert.equal(isCommonPassword('P@ssw0rd'), true);
  assert.equal(isCommonPassword('correct horse battery staple'), false);
});
