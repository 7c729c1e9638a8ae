/**
 * Audit events contain no password, token, code, secret or full email (spec §2, §11.1 #2; ASVS
 * 16.2.5): every audited flow runs over HTTP on the test stack (DynamoDB Local, local SES) with
 * distinctive passwords and addresses; then every stored audit item (read with a raw client,
 * keys and index keys included) and every line of the CloudWatch mirror (`{ "audit": … }`,
 * captured from the Powertools logger's stdout) is searched for each password, each access and
 * renewal token (and their secret parts), each mail link's token and secret, and each address
 * as typed and canonical.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { anAdmin, sidOf } from '../support/accounts.js';
import { scanAuditTable } from '../support/audit.js';
import { lastLinkToken } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { type ApiResponse, startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
const mirror: string[] = [];
let restore: () => void = () => undefined;
const secrets = new Set<string>();
let n = 0;

before(async () => {
  // The mirror logs at info: let Powertools write it, and keep its audit lines.
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: '3', AUTH_TRUSTED_PROXIES: '127.0.0.1', POWERTOOLS_LOG_LEVEL: 'INFO' });
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('{') && text.includes('"audit"')) {
      mirror.push(text);
      return true;
    }
    return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  restore = () => {
    process.stdout.write = write;
  };
});
after(async () => {
  restore();
  await api.close();
});

/** A request from an address of its own (the source-address counters stay out of the way). */
function call(method: string, path: string, options: { body?: unknown; token?: string } = {}): Promise<ApiResponse> {
  n += 1;
  return api.request(method, path, { ...options, headers: { 'x-forwarded-for': `192.0.2.${(n % 250) + 1}`, 'user-agent': 'no-secrets-test/1.0' } });
}

/** A distinctive password, remembered as a secret. */
function password(label: string): string {
  const value = `Pw-${label}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  secrets.add(value);
  return value;
}

/** A distinctive address (mixed case as typed), remembered as typed and canonical, with its local part. */
function address(label: string): string {
  const email = uniqueEmail(`secret-${label}`);
  const typed = `${email.split('@')[0]?.toUpperCase()}@Example.COM`;
  for (const value of [email, typed, email.split('@')[0] as string]) secrets.add(value);
  return typed;
}

/** Remembers a token and its parts that are secret (the signature, the link secret). */
function remember(token: string): string {
  secrets.add(token);
  const parts = token.split('.');
  const last = parts[parts.length - 1];
  if (last && last.length >= 16) secrets.add(last);
  return token;
}

async function link(email: string, path: string): Promise<string> {
  return remember(await lastLinkToken(email.toLowerCase(), path));
}

function expect(response: ApiResponse, status: number): ApiResponse {
  assert.equal(response.status, status, response.text);
  if (response.body?.accessToken) remember(response.body.accessToken);
  if (response.body?.renewalToken) remember(response.body.renewalToken);
  return response;
}

test('Audit events contain no password, token, code, secret or full email', async () => {
  // Registration, confirmation, sign-in (right and wrong), renewal and its reuse.
  const email = address('owner');
  const first = password('first');
  expect(await call('POST', '/registration', { body: { email, password: first } }), 202);
  expect(await call('POST', `/email-confirmation/${await link(email, 'confirm-email')}`), 200);
  expect(await call('POST', '/registration', { body: { email, password: password('again') } }), 202); // already_registered
  let session = expect(await call('POST', '/session', { body: { email, password: first } }), 200).body;
  expect(await call('POST', '/session', { body: { email, password: password('wrong') } }), 401);
  const renewed = expect(await call('POST', '/session/renew', { body: { renewalToken: session.renewalToken } }), 200).body;
  expect(await call('POST', '/session/renew', { body: { renewalToken: session.renewalToken } }), 401); // reuse
  assert.ok(renewed.accessToken);

  // PATCH /me: password, then a pending email change and its confirmation.
  session = expect(await call('POST', '/session', { body: { email, password: first } }), 200).body;
  const second = password('second');
  expect(await call('PATCH', '/me', { token: session.accessToken, body: { currentPassword: first, password: second, passwordConfirmation: second } }), 200);
  const moved = address('moved');
  expect(await call('PATCH', '/me', { token: session.accessToken, body: { currentPassword: second, email: moved } }), 200);
  expect(await call('POST', `/email-confirmation/${await link(moved, 'confirm-email')}`), 200);

  // Sessions: revoke one, revoke all, sign out.
  const other = expect(await call('POST', '/session', { body: { email: moved, password: second } }), 200).body;
  expect(await call('DELETE', `/sessions/${sidOf(other.accessToken)}`, { token: session.accessToken }), 204);
  expect(await call('DELETE', '/sessions', { token: session.accessToken }), 204);
  session = expect(await call('POST', '/session', { body: { email: moved, password: second } }), 200).body;
  expect(await call('DELETE', '/session', { token: session.accessToken }), 204);

  // Reset: requested, checked, used; an unknown address's request and sign-in.
  expect(await call('POST', '/password-reset', { body: { email: moved } }), 202);
  const resetToken = await link(moved, 'reset-password');
  expect(await call('GET', `/password-reset/${resetToken}`), 200);
  const third = password('third');
  expect(await call('POST', `/password-reset/${resetToken}`, { body: { password: third, passwordConfirmation: third } }), 200);
  const stranger = address('stranger');
  expect(await call('POST', '/password-reset', { body: { email: stranger } }), 202);
  expect(await call('POST', '/session', { body: { email: stranger, password: password('stranger') } }), 401);

  // A lockout (three wrong passwords) and the 429 after it.
  for (let i = 0; i < 3; i++) expect(await call('POST', '/session', { body: { email: moved, password: password(`guess${i}`) } }), 401);
  expect(await call('POST', '/session', { body: { email: moved, password: third } }), 429);

  // Invitations and the admin API; a non-admin refused on an admin route.
  const admin = await anAdmin(api);
  const invitee = address('invitee');
  expect(await call('POST', '/invitations', { token: admin.token, body: { email: invitee } }), 201);
  const fourth = password('fourth');
  const accepted = expect(
    await call('POST', `/invitations/${await link(invitee, 'invitation')}`, { body: { password: fourth, passwordConfirmation: fourth } }),
    201,
  ).body;
  expect(await call('GET', '/admin/users', { token: accepted.accessToken }), 403);
  const managed = address('managed');
  const created = expect(await call('POST', '/admin/users', { token: admin.token, body: { email: managed, password: password('fifth') } }), 201).body.user;
  expect(await call('PATCH', `/admin/users/${created.id}`, { token: admin.token, body: { email: address('renamed'), role: 'admin' } }), 200);
  const sixth = password('sixth');
  expect(await call('PUT', `/admin/users/${created.id}/password`, { token: admin.token, body: { password: sixth, passwordConfirmation: sixth } }), 204);
  expect(await call('POST', `/admin/users/${created.id}/lock`, { token: admin.token }), 200);
  expect(await call('POST', `/admin/users/${created.id}/unlock`, { token: admin.token }), 200);
  expect(await call('DELETE', `/admin/users/${created.id}`, { token: admin.token }), 204);

  // DELETE /me (after the lockout ran out: the invitee's account).
  expect(await call('DELETE', '/me', { token: accepted.accessToken, body: { currentPassword: fourth } }), 204);

  const { items, events } = await scanAuditTable(api.tableName);
  const types = new Set(events.map((e) => e.type));
  for (const type of [
    'registration',
    'email.confirmed',
    'sign_in',
    'renewal.reuse_detected',
    'password.changed',
    'email.change_requested',
    'email.changed',
    'session.revoked',
    'password.reset_requested',
    'password.reset',
    'lockout.start',
    'invitation.created',
    'invitation.accepted',
    'authz.denied',
    'admin.user_created',
    'admin.user_updated',
    'admin.password_set',
    'admin.locked',
    'admin.unlocked',
    'admin.user_deleted',
    'account.deleted',
  ]) {
    assert.ok(types.has(type as never), `no ${type} event was written`);
  }
  // The mirror holds every stored event.
  const mirrored = mirror.join('\n');
  for (const event of events) assert.ok(mirrored.includes(event.id), `event ${event.type} not mirrored`);

  const stored = items.map((item) => JSON.stringify(item)).join('\n');
  const haystacks = { 'the audit table': stored.toLowerCase(), 'the mirror': mirrored.toLowerCase() };
  assert.ok(secrets.size > 40);
  for (const secret of secrets) {
    for (const [where, text] of Object.entries(haystacks)) assert.ok(!text.includes(secret.toLowerCase()), `${where} holds a secret: ${secret.slice(0, 12)}…`);
  }
});
