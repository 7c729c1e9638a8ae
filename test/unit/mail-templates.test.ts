import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { MemoryMailer } from '../../shared/adapters/memory/mailer.js';
import { MemoryStore } from '../../shared/adapters/memory/store.js';
import { sendOutboxMail } from '../../shared/flows/mail-sender.js';
import { applyTemplateOverrides, checkTemplateOverrides, loadMailTemplates } from '../../shared/mail/overrides.js';
import { defaultTemplates, TEMPLATE_PLACEHOLDERS } from '../../shared/mail/templates.js';
import type { OutboxMail } from '../../shared/ports/store.js';
import { CapturingLog } from '../support/memory.js';

const ctx = { appUrl: 'https://app.test', email: 'ann@example.com', link: 'https://app.test/reset-password/abc', validForMinutes: '60' };

test('every built-in template has a subject, a text and an HTML part, and escapes what it puts into HTML', () => {
  const hostile = '<script>alert(1)</script>"@example.com';
  const all = [
    defaultTemplates.confirmEmail({ ...ctx }),
    defaultTemplates.alreadyRegistered({ ...ctx, resetLink: ctx.link }),
    defaultTemplates.emailChangeRequested({ ...ctx, newEmail: hostile }),
    defaultTemplates.emailChanged({ ...ctx, newEmail: hostile }),
    defaultTemplates.resetPassword(ctx),
    defaultTemplates.lockedOut({ ...ctx, failures: 10, minutes: 15, resetLink: ctx.link }),
    defaultTemplates.invitation({ ...ctx, expiresAt: '2026-12-01T00:00:00.000Z' }),
    defaultTemplates.breachedPasswordSignIn({ appUrl: ctx.appUrl, email: hostile }),
    defaultTemplates.mfaEnabled({ appUrl: ctx.appUrl, email: hostile, method: 'totp' }),
    defaultTemplates.mfaDisabled({ appUrl: ctx.appUrl, email: hostile, method: 'totp' }),
    defaultTemplates.recoveryCodeUsed({ appUrl: ctx.appUrl, email: hostile, remaining: 2 }),
    defaultTemplates.recoveryCodesRegenerated({ appUrl: ctx.appUrl, email: hostile }),
    defaultTemplates.mfaLockedOut({ appUrl: ctx.appUrl, email: hostile, failures: 10, minutes: 15 }),
    defaultTemplates.mfaReset({ appUrl: ctx.appUrl, email: hostile }),
    defaultTemplates.passkeyAdded({ appUrl: ctx.appUrl, email: hostile, name: hostile }),
    defaultTemplates.passkeyRemoved({ appUrl: ctx.appUrl, email: hostile, name: hostile }),
    defaultTemplates.passkeyDisabled({ appUrl: ctx.appUrl, email: hostile, name: hostile }),
    defaultTemplates.passwordRemoved({ appUrl: ctx.appUrl, email: hostile }),
    defaultTemplates.identityLinked({ appUrl: ctx.appUrl, email: hostile, provider: hostile }),
    defaultTemplates.identityUnlinked({ appUrl: ctx.appUrl, email: hostile, provider: hostile }),
  ];
  assert.equal(all.length, Object.keys(TEMPLATE_PLACEHOLDERS).length);
  for (const mail of all) {
    assert.ok(mail.subject && mail.text && mail.html);
    assert.doesNotMatch(mail.html, /<script>/);
  }
  assert.match(all[2]?.html ?? '', /&lt;script&gt;/);
});

test('overrides replace parts, fill placeholders, and escape values in HTML only', () => {
  const templates = applyTemplateOverrides(
    checkTemplateOverrides({
      resetPassword: {
        subject: 'Reset for {{ email }}',
        text: 'Go to {{link}} ({{validForMinutes}} min).',
        html: '<p><a href="{{link}}">Reset</a> {{email}}</p>',
      },
      emailChanged: { text: 'Now {{newEmail}}.\n\nBye' },
    }),
  );
  const reset = templates.resetPassword({ ...ctx, email: 'a<b>@example.com' });
  assert.equal(reset.subject, 'Reset for a<b>@example.com');
  assert.equal(reset.text, 'Go to https://app.test/reset-password/abc (60 min).');
  assert.equal(reset.html, '<p><a href="https://app.test/reset-password/abc">Reset</a> a&lt;b&gt;@example.com</p>');
  // A text without an html: the HTML is made from the text, escaped.
  const changed = templates.emailChanged({ ...ctx, newEmail: '<x>@example.com' });
  assert.equal(changed.subject, 'Your e-mail address was changed');
  assert.match(changed.html, /<p>Now &lt;x&gt;@example\.com\.<\/p><p>Bye<\/p>/);
  // Untouched templates stay built-in.
  assert.deepEqual(templates.confirmEmail(ctx), defaultTemplates.confirmEmail(ctx));
});

test('breachedPasswordSignIn says the password appeared in a data breach, that nothing else is known, and how to change it; LATCH_MAIL_TEMPLATES overrides it', () => {
  const mail = defaultTemplates.breachedPasswordSignIn({ appUrl: ctx.appUrl, email: ctx.email });
  assert.match(mail.subject, /data breach/);
  assert.match(mail.text, /data breaches/);
  assert.match(mail.text, /Nothing else is known/);
  assert.match(mail.text, /change it in your account settings/);
  assert.match(mail.text, /https:\/\/app\.test\/reset-password/);
  const templates = loadMailTemplates({
    LATCH_MAIL_TEMPLATES: JSON.stringify({ breachedPasswordSignIn: { subject: 'Breached: {{email}}', text: 'Change it at {{appUrl}}.' } }),
  });
  const custom = templates.breachedPasswordSignIn({ appUrl: ctx.appUrl, email: ctx.email });
  assert.equal(custom.subject, 'Breached: ann@example.com');
  assert.equal(custom.text, 'Change it at https://app.test.');
  assert.throws(() => checkTemplateOverrides({ breachedPasswordSignIn: { text: '{{link}}' } }), /unknown placeholder \{\{link\}\}/);
});

test('bad overrides fail at load with a message naming the problem', () => {
  const bad: Array<[unknown, RegExp]> = [
    [[], /must be a JSON object/],
    [{ nope: {} }, /unknown template "nope"/],
    [{ resetPassword: { footer: 'x' } }, /unknown part "footer"/],
    [{ resetPassword: { text: 'Hi {{resetLink}}' } }, /unknown placeholder \{\{resetLink\}\}/],
    [{ resetPassword: { html: '<p>x</p>' } }, /html override needs a text override/],
    [{ resetPassword: { subject: '' } }, /non-empty string/],
  ];
  for (const [value, message] of bad) assert.throws(() => checkTemplateOverrides(value), message);
  assert.throws(() => loadMailTemplates({ LATCH_MAIL_TEMPLATES: '{nope' }), /not valid JSON/);
  assert.throws(() => loadMailTemplates({ LATCH_MAIL_TEMPLATES: path.join(tmpdir(), 'no-such-latch-templates.json') }), /cannot read/);
});

test('LATCH_MAIL_TEMPLATES takes inline JSON or a file path; unset means the built-in templates', () => {
  assert.equal(loadMailTemplates({}), defaultTemplates);
  const inline = loadMailTemplates({ LATCH_MAIL_TEMPLATES: '{"confirmEmail":{"subject":"Welcome to {{appUrl}}"}}' });
  assert.equal(inline.confirmEmail(ctx).subject, 'Welcome to https://app.test');
  const file = path.join(tmpdir(), `latch-templates-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ confirmEmail: { subject: 'From a file' } }));
  assert.equal(loadMailTemplates({ LATCH_MAIL_TEMPLATES: file }).confirmEmail(ctx).subject, 'From a file');
});

test('the mail sender renders a queued mail in its language with the overrides, and drops one that names no template', async () => {
  const store = new MemoryStore();
  const mailer = new MemoryMailer();
  const log = new CapturingLog();
  const templates = loadMailTemplates({ LATCH_MAIL_TEMPLATES: JSON.stringify({ de: { mfaReset: { subject: 'Zurückgesetzt für {{email}}' } } }) });
  const queued = (id: string, template: string): OutboxMail => ({
    id,
    template,
    userId: 'u1',
    to: 'ann@example.com',
    data: { appUrl: 'https://app.test', email: 'ann@example.com', locale: 'de' },
    createdAt: '2026-12-03T10:00:00.000Z',
    expiresAt: 2_000_000_000,
  });
  assert.equal(await sendOutboxMail({ store, mailer, log, templates }, queued('m1', 'mfaReset')), 'sent');
  assert.equal(mailer.sent[0]?.to, 'ann@example.com');
  assert.equal(mailer.sent[0]?.subject, 'Zurückgesetzt für ann@example.com');
  assert.match(mailer.sent[0]?.html ?? '', /lang="de"/);
  // A template this version does not know (or a prototype key) is refused for good, never retried.
  for (const [id, template] of [
    ['m2', 'noSuchTemplate'],
    ['m3', 'toString'],
  ] as const) {
    assert.equal(await sendOutboxMail({ store, mailer, log, templates }, queued(id, template)), 'dropped');
  }
  assert.equal(mailer.sent.length, 1);
  assert.equal(log.lines.filter((l) => l.message === 'mail refused, dropped' && l.fields.errorName === 'UnknownMailTemplateError').length, 2);
});
