/**
 * Property: the stored email is canonical. Every route that takes an email stores (and mails)
 * its canonical form: NFKC (full-width letters become ASCII), default-ignorable characters
 * removed, trimmed, lower-cased. A look-alike spelling is the same account, never a second
 * mailbox: mail never goes to the spelling that was typed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { updateUser } from '../../shared/flows/admin-users.js';
import { anAdmin, PASSWORD, signedInUser } from '../support/accounts.js';
import { lastLinkToken, mailsTo } from '../support/mail.js';
import { memoryDeps } from '../support/memory.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

/** ASCII → its full-width twin (U+FF01…U+FF5E), which NFKC maps back. */
const fullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x21 + 0xff01));
/** Upper case with a zero-width space and a soft hyphen (both default-ignorable) in the local part. */
const mixed = (s: string) => `  ${s.slice(0, 2).toUpperCase()}\u200B${s.slice(2, 4)}\u00AD${s.slice(4).toUpperCase()} `;

/** The spellings a look-alike squatter would try, for one canonical address. */
const lookalikes = (canonical: string) => [fullWidth(canonical), mixed(canonical), fullWidth(mixed(canonical))];

test('registration stores the canonical form of a full-width, mixed-case or ignorable-laden address, and mails only it', async () => {
  for (const [i, spell] of [fullWidth, mixed, (s: string) => fullWidth(mixed(s))].entries()) {
    const canonical = uniqueEmail(`canon${i}`);
    const typed = spell(canonical);
    assert.notEqual(typed, canonical);
    assert.equal((await api.request('POST', '/registration', { body: { email: typed, password: PASSWORD } })).status, 202);
    const stored = await api.store.findUserByEmail(canonical);
    assert.equal(stored?.email, canonical);
    assert.equal(stored?.emailCanonical, canonical);
    assert.equal((await mailsTo(canonical)).length, 1);
    assert.equal((await mailsTo(typed)).length, 0);
    assert.equal((await mailsTo(typed.trim())).length, 0);
    // The link from the canonical mailbox confirms; the user object shows the canonical form.
    const confirmed = await api.request('POST', `/email-confirmation/${await lastLinkToken(canonical, 'confirm-email')}`);
    assert.equal(confirmed.status, 200);
    assert.equal(confirmed.body.user.email, canonical);
    // Every spelling signs in to the one account.
    for (const other of lookalikes(canonical)) {
      const signIn = await api.request('POST', '/session', { body: { email: other, password: PASSWORD } });
      assert.equal(signIn.status, 200, signIn.text);
      assert.equal(signIn.body.user.email, canonical);
    }
  }
});

test('resend and password reset with a look-alike spelling mail the canonical address only', async () => {
  const canonical = uniqueEmail('canon-mail');
  const typed = fullWidth(mixed(canonical));
  await api.request('POST', '/registration', { body: { email: canonical, password: PASSWORD } });
  assert.equal((await api.request('POST', '/email-confirmation/resend', { body: { email: typed } })).status, 202);
  assert.equal((await mailsTo(canonical)).length, 2);
  await api.request('POST', `/email-confirmation/${await lastLinkToken(canonical, 'confirm-email')}`);
  assert.equal((await api.request('POST', '/password-reset', { body: { email: typed } })).status, 202);
  const mails = await mailsTo(canonical);
  assert.ok(mails.at(-1)?.text.includes('/reset-password/'));
  assert.equal((await mailsTo(typed)).length + (await mailsTo(typed.trim())).length, 0);
});

test('PATCH /me stores a pending address in canonical form and mails the link to it', async () => {
  const user = await signedInUser(api, { label: 'canon-patch' });
  const target = uniqueEmail('canon-new');
  const typed = fullWidth(target).toUpperCase();
  const response = await api.request('PATCH', '/me', { token: user.accessToken, body: { currentPassword: PASSWORD, email: typed } });
  assert.equal(response.status, 200, response.text);
  assert.equal(response.body.user.unconfirmedEmail, target);
  assert.equal((await api.store.getUser(user.userId))?.unconfirmedEmail, target);
  assert.equal((await mailsTo(target)).length, 1);
  assert.equal((await mailsTo(typed)).length, 0);
  const confirmed = await api.request('POST', `/email-confirmation/${await lastLinkToken(target, 'confirm-email')}`);
  assert.equal(confirmed.status, 200);
  assert.equal(confirmed.body.user.email, target);
  assert.equal((await api.store.getUser(user.userId))?.email, target);
});

test('invitations and the admin API store the canonical form', async () => {
  const admin = await anAdmin(api);
  const invited = uniqueEmail('canon-invite');
  const invite = await api.request('POST', '/invitations', { token: admin.token, body: { email: mixed(invited) } });
  assert.equal(invite.status, 201, invite.text);
  assert.equal(invite.body.invitation.email, invited);
  assert.equal((await api.store.findUserByEmail(invited))?.email, invited);
  assert.equal((await mailsTo(invited)).length, 1);

  const created = uniqueEmail('canon-admin');
  const create = await api.request('POST', '/admin/users', { token: admin.token, body: { email: fullWidth(mixed(created)) } });
  assert.equal(create.status, 201, create.text);
  assert.equal(create.body.user.email, created);

  const moved = uniqueEmail('canon-moved');
  const update = await api.request('PATCH', `/admin/users/${create.body.user.id}`, { token: admin.token, body: { email: fullWidth(moved) } });
  assert.equal(update.status, 200, update.text);
  assert.equal(update.body.user.email, moved);
  assert.equal((await api.store.getUser(create.body.user.id))?.email, moved);

  // A look-alike of a taken address is taken, and the admin lookup finds the one account.
  const taken = await api.request('POST', '/admin/users', { token: admin.token, body: { email: mixed(moved) } });
  assert.equal(taken.status, 422);
  assert.ok(taken.body.errors.email);
  const listed = await api.request('GET', `/admin/users?email=${encodeURIComponent(fullWidth(moved))}`, { token: admin.token });
  assert.deepEqual(
    listed.body.users.map((u: { email: string }) => u.email),
    [moved],
  );
});

test('the CLI (admin flows as operator) stores the canonical form too', async () => {
  const deps = await memoryDeps();
  const { createUser } = await import('../../shared/flows/admin-users.js');
  const user = await createUser(deps, 'operator', { email: fullWidth('Cli@Example.com') });
  assert.equal(user.email, 'cli@example.com');
  const updated = await updateUser(deps, 'operator', user.id, { email: mixed('cli-new@example.com') });
  assert.equal(updated.email, 'cli-new@example.com');
});
