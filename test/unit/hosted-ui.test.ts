import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CATALOGUES, matchAcceptLanguage, negotiateLocale, placeholdersOf, pseudoAccented, pseudoRtl } from '../../shared/ui/i18n.js';
import { contentSecurityPolicy, csrfToken, csrfValid, originAllowed, safeReturn } from '../../shared/ui/security.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('every catalogue has every key of the English one and no other, with the same placeholders', () => {
  const english = CATALOGUES.en;
  for (const [locale, catalogue] of Object.entries(CATALOGUES)) {
    assert.deepEqual(Object.keys(catalogue).sort(), Object.keys(english).sort(), `keys of ${locale}`);
    for (const [id, message] of Object.entries(catalogue)) {
      assert.ok(message.trim().length > 0, `${locale} ${id} is empty`);
      assert.deepEqual(placeholdersOf(message), placeholdersOf(english[id as keyof typeof english]), `placeholders of ${locale} ${id}`);
    }
  }
});

test('every message id is used by the pages (no stale keys)', () => {
  const folder = path.join(root, 'shared', 'ui');
  const sources = readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && f !== 'i18n.ts')
    .map((f) => readFileSync(path.join(folder, f), 'utf8'))
    .join('\n')
    // The mails come from the same catalogues (hosted-ui.md §8).
    .concat(readFileSync(path.join(root, 'shared', 'mail', 'templates.ts'), 'utf8'));
  const unused = Object.keys(CATALOGUES.en).filter((id) => !sources.includes(`'${id}'`));
  assert.deepEqual(unused, []);
});

test('the pseudo-locales: en-XA is accented, bracketed and about 40 % longer; ar-XB is marked right to left; placeholders survive', () => {
  const message = 'Signed in as {email}.';
  const accented = pseudoAccented(message);
  assert.ok(accented.startsWith('[') && accented.endsWith(']'));
  assert.ok(accented.includes('{email}'));
  assert.ok(accented.length >= message.length * 1.35);
  assert.doesNotMatch(accented.replace('{email}', ''), /[a-z]{3}/, 'no plain English words left');
  const rtl = pseudoRtl(message);
  assert.ok(rtl.includes('\u202e') && rtl.includes('{email}'));
});

test('locale negotiation: lang parameter, then cookie, then Accept-Language, then the default; pseudo-locales only when served', () => {
  assert.equal(negotiateLocale({ param: 'de', cookie: 'en', acceptLanguage: 'en', fallback: 'en', pseudo: false }), 'de');
  assert.equal(negotiateLocale({ param: 'xx', cookie: 'de', acceptLanguage: 'en', fallback: 'en', pseudo: false }), 'de');
  assert.equal(negotiateLocale({ acceptLanguage: 'fr-CH, de-AT;q=0.8, en;q=0.5', fallback: 'en', pseudo: false }), 'de');
  assert.equal(negotiateLocale({ acceptLanguage: 'fr', fallback: 'de', pseudo: false }), 'de');
  assert.equal(negotiateLocale({ param: 'en-XA', fallback: 'en', pseudo: false }), 'en');
  assert.equal(negotiateLocale({ param: 'en-xa', fallback: 'en', pseudo: true }), 'en-XA');
  assert.equal(matchAcceptLanguage('de;q=0, en;q=0.1', false), 'en');
  assert.equal(matchAcceptLanguage('ar-XB', false), undefined);
});

test('CSRF tokens: bound to the form and to the cookie or session secret; anything else fails', () => {
  const uiSecret = new Uint8Array(32).fill(7);
  const cookie = 'c'.repeat(43);
  const anonymous = { kind: 'anonymous' as const, uiSecret, cookie };
  const token = csrfToken(anonymous, 'sign-in');
  assert.ok(csrfValid(anonymous, 'sign-in', token));
  assert.ok(!csrfValid(anonymous, 'sign-up', token));
  assert.ok(!csrfValid({ ...anonymous, cookie: 'd'.repeat(43) }, 'sign-in', token));
  assert.ok(!csrfValid({ ...anonymous, uiSecret: new Uint8Array(32).fill(8) }, 'sign-in', token));
  assert.ok(!csrfValid({ ...anonymous, cookie: 'short' }, 'sign-in', csrfToken({ ...anonymous, cookie: 'short' }, 'sign-in')));
  assert.ok(!csrfValid(anonymous, 'sign-in', undefined));
  const session = { kind: 'session' as const, sessionSecret: new Uint8Array(32).fill(1) };
  assert.ok(csrfValid(session, 'account-delete', csrfToken(session, 'account-delete')));
  assert.ok(!csrfValid({ kind: 'session', sessionSecret: new Uint8Array(32).fill(2) }, 'account-delete', csrfToken(session, 'account-delete')));
});

test('the origin check: the UI origin, or same-origin Sec-Fetch-Site without Origin', () => {
  const ui = 'https://auth.example.com';
  assert.ok(originAllowed({ origin: ui }, ui));
  assert.ok(!originAllowed({ origin: 'https://evil.example' }, ui));
  assert.ok(!originAllowed({ origin: 'null' }, ui));
  assert.ok(originAllowed({ 'sec-fetch-site': 'same-origin' }, ui));
  assert.ok(!originAllowed({ 'sec-fetch-site': 'same-site' }, ui));
  assert.ok(!originAllowed({}, ui));
});

test('return targets: same-origin paths under /ui/ (or the hand-off) only', () => {
  const ui = 'https://auth.example.com';
  assert.equal(safeReturn('/ui/account', ui), '/ui/account');
  assert.equal(safeReturn('/oauth2/authorize?client_id=a', ui), '/oauth2/authorize?client_id=a');
  for (const bad of ['//evil.example/ui/', 'https://evil.example/ui/', '/\\evil', '/admin/users', '/ui/assets/x.css', '/ui/a\nb', 'ui/account', '']) {
    assert.equal(safeReturn(bad, ui), undefined, bad);
  }
});

test('the CSP forbids framing, plugins, base changes and inline code', () => {
  const csp = contentSecurityPolicy();
  for (const directive of [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ]) {
    assert.ok(csp.includes(directive), directive);
  }
  assert.ok(!csp.includes('unsafe'));
});
