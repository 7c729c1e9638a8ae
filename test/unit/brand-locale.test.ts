import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ValidationError } from '../../shared/domain/errors.js';
import { updateMe } from '../../shared/flows/account.js';
import { signIn } from '../../shared/flows/current-session.js';
import { register } from '../../shared/flows/registration.js';
import { mailLocaleOf } from '../../shared/flows/send-mail.js';
import { checkAccessToken } from '../../shared/flows/token-check.js';
import { applyTemplateOverrides, checkTemplateOverrides, loadMailTemplates } from '../../shared/mail/overrides.js';
import { defaultTemplates } from '../../shared/mail/templates.js';
import { handleUi } from '../../shared/ui/app.js';
import { CATALOGUES, matchAcceptLanguage, negotiateLocale, translate } from '../../shared/ui/i18n.js';
import { memoryDeps } from '../support/memory.js';

/** User locale and mails in it (docs/specs/hosted-ui.md §8). */

const PASSWORD = 'correct horse battery staple';
const request = { ip: '203.0.113.9', userAgent: 'test-agent/1.0' };

test('negotiation order: lang/ui_locales → cookie → the stored locale → Accept-Language → default', () => {
  const base = { fallback: 'en' as const, pseudo: true };
  assert.equal(negotiateLocale({ ...base, param: 'de', cookie: 'en', stored: 'en', acceptLanguage: 'en' }), 'de');
  assert.equal(negotiateLocale({ ...base, cookie: 'de', stored: 'en', acceptLanguage: 'en' }), 'de');
  assert.equal(negotiateLocale({ ...base, stored: 'de', acceptLanguage: 'en' }), 'de');
  assert.equal(negotiateLocale({ ...base, stored: 'en-XA', acceptLanguage: 'de' }), 'de', 'a pseudo-locale is never a stored one');
  assert.equal(negotiateLocale({ ...base, stored: null, acceptLanguage: 'de-AT,en;q=0.5' }), 'de');
  assert.equal(negotiateLocale({ ...base, fallback: 'de' }), 'de');
});

test('Accept-Language matching with intl-localematcher: regional tags fall back to their language; pseudo-locales only exactly; junk is skipped', () => {
  assert.equal(matchAcceptLanguage('de-CH;q=0.9, fr;q=1', false), 'de');
  assert.equal(matchAcceptLanguage('en-GB', false), 'en');
  assert.equal(matchAcceptLanguage('en-XA', true), 'en-XA');
  assert.equal(matchAcceptLanguage('en-XA', false), 'en');
  assert.equal(matchAcceptLanguage('fr, it;q=0.5', false), undefined);
  assert.equal(matchAcceptLanguage('*?!, de', false), 'de');
});

test('ICU plurals: the recovery-code mail counts in English and German', () => {
  assert.match(translate('en', 'mail.recoveryCodeUsed.body', { remaining: 1 }), /1 unused code remains\.$/);
  assert.match(translate('en', 'mail.recoveryCodeUsed.body', { remaining: 8 }), /8 unused codes remain\.$/);
  assert.match(translate('en', 'mail.recoveryCodeUsed.body', { remaining: 0 }), /No unused codes remain\.$/);
  assert.match(translate('de', 'mail.recoveryCodeUsed.body', { remaining: 1 }), /Es ist noch 1 unbenutzter Code übrig\.$/);
  assert.match(translate('de', 'mail.recoveryCodeUsed.body', { remaining: 3 }), /Es sind noch 3 unbenutzte Codes übrig\.$/);
  assert.equal(CATALOGUES['en-XA']['mail.recoveryCodeUsed.body'], CATALOGUES.en['mail.recoveryCodeUsed.body'], 'ICU syntax survives pseudo generation');
});

test('every built-in mail renders in en and de from the catalogues, with lang on the HTML and values escaped', () => {
  const ctx = {
    appUrl: 'https://app.test/ui',
    email: 'a@example.com',
    link: 'https://app.test/ui/x?a=1&b=2',
    resetLink: 'https://app.test/ui/reset-password',
    failures: 5,
    minutes: 15,
    expiresAt: '2026-12-24T00:00:00Z',
    newEmail: '<b>@example.com',
    validForMinutes: '60',
    method: 'totp',
    remaining: 2,
    name: '<script>',
  };
  for (const [name, template] of Object.entries(defaultTemplates)) {
    const en = (template as (c: unknown) => { subject: string; text: string; html: string })({ ...ctx, locale: 'en' });
    const de = (template as (c: unknown) => { subject: string; text: string; html: string })({ ...ctx, locale: 'de' });
    assert.notEqual(en.subject, de.subject, `${name} is translated`);
    assert.match(de.html, /^<!doctype html><html lang="de">/, name);
    assert.doesNotMatch(en.html + de.html, /<script>|<b>|\{[a-zA-Z]+\}/, `${name}: escaped, every placeholder filled`);
  }
});

test('mail language: the stored locale, else AUTH_UI_DEFAULT_LOCALE with the pages on, else en', async () => {
  const withUi = await memoryDeps({ AUTH_UI: 'true', AUTH_UI_DEFAULT_LOCALE: 'de' });
  const withoutUi = await memoryDeps({ AUTH_UI_DEFAULT_LOCALE: 'de' });
  assert.equal(mailLocaleOf(withUi, 'en'), 'en');
  assert.equal(mailLocaleOf(withUi, null), 'de');
  assert.equal(mailLocaleOf(withUi, 'en-XA'), 'de');
  assert.equal(mailLocaleOf(withoutUi, undefined), 'en');
});

test('LATCH_MAIL_TEMPLATES per locale: { de: { resetPassword } } wins for German users, the top-level one for the rest', () => {
  const templates = applyTemplateOverrides(
    checkTemplateOverrides({ resetPassword: { subject: 'Reset ({{email}})' }, de: { resetPassword: { subject: 'Zurücksetzen ({{email}})' } } }),
  );
  const ctx = { appUrl: 'https://app.test', email: 'a@example.com', link: 'https://app.test/r', validForMinutes: '60' };
  assert.equal(templates.resetPassword({ ...ctx, locale: 'de' }).subject, 'Zurücksetzen (a@example.com)');
  assert.equal(templates.resetPassword({ ...ctx, locale: 'en' }).subject, 'Reset (a@example.com)');
  assert.match(templates.resetPassword({ ...ctx, locale: 'de' }).text, /Der Link unten funktioniert einmal/, 'parts not overridden stay built-in, in German');
  const deOnly = loadMailTemplates({ LATCH_MAIL_TEMPLATES: JSON.stringify({ de: { mfaReset: { subject: 'Zurückgesetzt' } } }) });
  assert.equal(deOnly.mfaReset({ appUrl: 'x', email: 'e', locale: 'de' }).subject, 'Zurückgesetzt');
  assert.equal(deOnly.mfaReset({ appUrl: 'x', email: 'e', locale: 'en' }).subject, 'Two-factor authentication was reset');
  assert.throws(() => checkTemplateOverrides({ fr: { resetPassword: { subject: 'x' } } }), /unknown template "fr".*or a locale: en, de/);
  assert.throws(() => checkTemplateOverrides({ de: { de: { subject: 'x' } } }), /LATCH_MAIL_TEMPLATES\.de: unknown template "de"/);
  assert.throws(
    () => checkTemplateOverrides({ de: { resetPassword: { subject: '{{nope}}' } } }),
    /LATCH_MAIL_TEMPLATES\.de\.resetPassword\.subject: unknown placeholder/,
  );
});

test('registration stores a shipped locale and refuses others (422 errors.locale); updateMe with locale alone needs no current password', async () => {
  const deps = await memoryDeps({ AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false' });
  await assert.rejects(
    register(deps, { email: 'x@example.com', password: PASSWORD, locale: 'fr' }, request),
    (e) => e instanceof ValidationError && JSON.stringify(e.errors) === '{"locale":["is invalid"]}',
  );
  const result = await register(deps, { email: 'ann@example.com', password: PASSWORD, locale: 'de' }, request);
  assert.equal(result.kind, 'signedIn');
  if (result.kind !== 'signedIn') return;
  assert.equal(result.tokens.user.locale, 'de');
  const principal = await checkAccessToken(deps, result.tokens.accessToken);
  assert.equal((await updateMe(deps, principal, { locale: 'en' })).locale, 'en');
  assert.equal((await updateMe(deps, principal, { locale: null })).locale, null);
  await assert.rejects(updateMe(deps, principal, { locale: 'en-XA' }), (e) => e instanceof ValidationError && 'locale' in e.errors);
  // With other changes the current password is still required.
  await assert.rejects(
    updateMe(deps, principal, { locale: 'de', email: 'new@example.com' }),
    (e) => e instanceof ValidationError && 'currentPassword' in e.errors,
  );
  const tokens = await signIn(deps, { email: 'ann@example.com', password: PASSWORD }, request);
  assert.equal(tokens.user.locale, null);
});

test('pages: the signed-in user stored locale chooses the page language; the account page stores it; sign-up stores the page locale', async () => {
  const deps = await memoryDeps({ AUTH_UI: 'true', APP_URL: 'https://app.test/ui', AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false' });
  const get = (path: string, headers: Record<string, string> = {}) =>
    handleUi(deps, { rawPath: path, headers, requestContext: { http: { method: 'GET' }, requestId: 'r' } } as unknown as APIGatewayProxyEventV2, {});
  const signUpPage = await get('/ui/sign-up', { 'accept-language': 'de' });
  assert.match(String(signUpPage.body), /<html lang="de"/);
  const csrfCookie = (signUpPage.cookies ?? []).find((c) => c.startsWith('__Host-latch_csrf='))?.split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(String(signUpPage.body))?.[1] ?? '';
  const post = (path: string, form: Record<string, string>, cookie: string) =>
    handleUi(
      deps,
      {
        rawPath: path,
        headers: { cookie, origin: 'https://app.test', 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'de' },
        requestContext: { http: { method: 'POST' }, requestId: 'r' },
      } as unknown as APIGatewayProxyEventV2,
      form,
    );
  const signedUp = await post('/ui/sign-up', { _csrf: csrf, email: 'page@example.com', password: PASSWORD, passwordConfirmation: PASSWORD }, csrfCookie);
  assert.equal(signedUp.statusCode, 303, String(signedUp.body));
  const user = await deps.store.findUserByEmail('page@example.com');
  assert.equal(user?.locale, 'de', 'sign-up from a German page stores de');
  const session = (signedUp.cookies ?? []).find((c) => c.startsWith('__Host-latch_ui='))?.split(';')[0] ?? '';
  // Without cookie or Accept-Language, the stored locale picks the language.
  const account = await get('/ui/account', { cookie: session });
  assert.match(String(account.body), /<html lang="de"/);
  assert.match(String(account.body), /<option value="de" lang="de" selected/);
  const token = /action="\/ui\/account\/locale"[^>]*>\s*<input type="hidden" name="_csrf" value="([^"]+)"/.exec(String(account.body))?.[1] ?? '';
  const saved = await post('/ui/account/locale', { _csrf: token, locale: 'en' }, session);
  assert.equal(saved.statusCode, 303);
  assert.ok((saved.cookies ?? []).some((c) => c.startsWith('__Host-latch_lang=en;')));
  assert.equal((await deps.store.findUserByEmail('page@example.com'))?.locale, 'en');
  const ignored = await post('/ui/account/locale', { _csrf: token, locale: 'fr' }, session);
  assert.equal(ignored.statusCode, 303);
  assert.equal((await deps.store.findUserByEmail('page@example.com'))?.locale, 'en', 'an unknown locale changes nothing');
});
