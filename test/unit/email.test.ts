import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalizeEmail, isValidEmail } from '../../shared/domain/email.js';

test('canonical form: NFKC, ignorables removed, trimmed, lower-cased without locale', () => {
  assert.equal(canonicalizeEmail('  Alice@Example.COM '), 'alice@example.com');
  assert.equal(canonicalizeEmail('ａｌｉｃｅ@example.com'), 'alice@example.com'); // fullwidth
  assert.equal(canonicalizeEmail('al\u200bice@exam\u00adple.com'), 'alice@example.com'); // zero-width space, soft hyphen
  assert.equal(canonicalizeEmail('\u212Aelvin@example.com'), 'kelvin@example.com'); // Kelvin sign
  assert.equal(canonicalizeEmail('I@EXAMPLE.COM'), 'i@example.com'); // no Turkish locale: I → i, not ı
  assert.notEqual(canonicalizeEmail('\u0131@example.com'), 'i@example.com'); // dotless ı stays distinct
  assert.equal(canonicalizeEmail('STRASSE@example.com'), 'strasse@example.com');
  assert.notEqual(canonicalizeEmail('straße@example.com'), 'strasse@example.com'); // ß is not folded to ss
});

test('canonicalisation is idempotent (property)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => canonicalizeEmail(canonicalizeEmail(s)) === canonicalizeEmail(s)),
    { numRuns: 2000 },
  );
  for (const tricky of ['\u212A', 'ẞ', 'ﬀ', '\u0130', 'Ⅻ', '㎒', 'ǅ']) {
    assert.equal(canonicalizeEmail(canonicalizeEmail(tricky)), canonicalizeEmail(tricky), tricky);
  }
});

test('valid addresses', () => {
  for (const email of ['a@example.com', 'first.last+tag@sub.example.co.uk', "o'brien@example.ie", 'üser@exämple.de', 'x@a-b.io']) {
    assert.equal(isValidEmail(email), true, email);
  }
});

test('invalid addresses: Pow-like rules', () => {
  const invalid = [
    '',
    'plain',
    '@example.com',
    'a@',
    'a@@example.com',
    'a@b@example.com',
    'a@localhost',
    'a@[127.0.0.1]',
    'a@example.123',
    `${'x'.repeat(65)}@example.com`,
    `a@${'x'.repeat(250)}.com`,
    '.a@example.com',
    'a.@example.com',
    'a..b@example.com',
    'a b@example.com',
    'a@exa mple.com',
    'a\n@example.com',
    'a\u0000@example.com',
    'a@-example.com',
    'a@example-.com',
    'a\u200b@example.com',
  ];
  for (const email of invalid) assert.equal(isValidEmail(email), false, JSON.stringify(email));
});
