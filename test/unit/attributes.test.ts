import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../shared/config.js';
import { parseAttributeDefinitions, readAttributes } from '../../shared/domain/attributes.js';
import { BadRequestError, ValidationError } from '../../shared/domain/errors.js';
import { FieldChecker } from '../../shared/domain/validation.js';
import { mergeAttributes, readUserAttributes } from '../../shared/flows/attributes.js';
import { acceptInvitation, inviteUser } from '../../shared/flows/invitations.js';
import { register } from '../../shared/flows/registration.js';
import { lastMailedToken, memoryDeps } from '../support/memory.js';

const defs = parseAttributeDefinitions(
  JSON.stringify({
    displayName: { type: 'string', required: true, maxLength: 20 },
    tenant: { type: 'string', editableBy: 'admin', enum: ['acme', 'globex'] },
    newsletter: { type: 'boolean' },
    age: { type: 'number' },
  }),
);

test('declared attributes are read, unknown members ignored', () => {
  const values = readAttributes(defs, { displayName: 'Ann', newsletter: true, age: 42, other: 'x' }, { mode: 'create', actor: 'user' });
  assert.deepEqual(values, { displayName: 'Ann', newsletter: true, age: 42 });
});

test('required, length and enum rules answer 422; wrong types 400', () => {
  assert.throws(
    () => readAttributes(defs, {}, { mode: 'create', actor: 'user' }),
    (e) => e instanceof ValidationError && e.errors.displayName?.[0] === "can't be blank",
  );
  assert.throws(() => readAttributes(defs, { displayName: 'x'.repeat(21) }, { mode: 'create', actor: 'user' }), ValidationError);
  assert.throws(() => readAttributes(defs, { displayName: 'A', tenant: 'initech' }, { mode: 'create', actor: 'admin' }), ValidationError);
  assert.throws(() => readAttributes(defs, { displayName: 42 }, { mode: 'create', actor: 'user' }), BadRequestError);
  assert.throws(() => readAttributes(defs, { displayName: 'A', age: Number.NaN }, { mode: 'create', actor: 'user' }), BadRequestError);
});

test('admin-only attributes cannot be set by the user, at creation or update; updates need no required ones', () => {
  assert.throws(
    () => readAttributes(defs, { displayName: 'A', tenant: 'acme' }, { mode: 'create', actor: 'user' }),
    (e) => e instanceof ValidationError && Boolean(e.errors.tenant),
  );
  assert.deepEqual(readAttributes(defs, { newsletter: false }, { mode: 'update', actor: 'user' }), { newsletter: false });
  assert.throws(
    () => readAttributes(defs, { tenant: 'acme' }, { mode: 'update', actor: 'user' }),
    (e) => e instanceof ValidationError && Boolean(e.errors.tenant),
  );
  assert.deepEqual(readAttributes(defs, { tenant: 'acme' }, { mode: 'update', actor: 'admin' }), { tenant: 'acme' });
});

test('malformed declarations fail fast', () => {
  for (const bad of [
    'nope',
    '[]',
    '{"email":{"type":"string"}}',
    '{"x":{"type":"date"}}',
    '{"Bad Name":{"type":"string"}}',
    '{"x":{"type":"string","editableBy":"anyone"}}',
  ]) {
    assert.throws(() => parseAttributeDefinitions(bad), Error, bad);
  }
  assert.deepEqual(parseAttributeDefinitions(undefined), {});
});

describe('custom attributes in the registration and invitation flows', () => {
  const env = {
    AUTH_USER_ATTRIBUTES: JSON.stringify({
      displayName: { type: 'string', required: true, maxLength: 20 },
      newsletter: { type: 'boolean' },
      tenant: { type: 'string', editableBy: 'admin', required: true },
    }),
  };
  const PASSWORD = 'correct horse battery staple';
  const request = { ip: null, userAgent: null };

  test('registration stores declared attributes on the user and returns them in the user object', async () => {
    const deps = await memoryDeps({ ...env, AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false' });
    const result = await register(
      deps,
      { email: 'ann@example.com', password: PASSWORD, body: { displayName: 'Ann', newsletter: true, shoeSize: 42 } },
      request,
    );
    assert.equal(result.kind, 'signedIn');
    if (result.kind !== 'signedIn') return;
    assert.equal(result.tokens.user.displayName, 'Ann');
    assert.equal(result.tokens.user.newsletter, true);
    assert.equal('shoeSize' in result.tokens.user, false, 'undeclared members are ignored');
    assert.deepEqual((await deps.store.findUserByEmail('ann@example.com'))?.attributes, { displayName: 'Ann', newsletter: true });
  });

  test('a wrong attribute type is 400 before any 422, and rule errors come with the other field errors', async () => {
    const deps = await memoryDeps(env);
    await assert.rejects(
      register(deps, { email: 'bad', password: PASSWORD, body: { displayName: 7 } }, request),
      (e: unknown) => e instanceof BadRequestError && e.code === 'bad_request',
    );
    await assert.rejects(register(deps, { email: 'bad', password: PASSWORD, body: { displayName: 'x'.repeat(21) } }, request), (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.deepEqual(Object.keys(e.errors).sort(), ['displayName', 'email']);
      return true;
    });
    assert.equal(deps.mailer.sent.length, 0);
    assert.equal(deps.hasher.hashes, 0);
  });

  test('a user cannot set an admin-only attribute at registration, nor is asked for a required one', async () => {
    const deps = await memoryDeps(env);
    await assert.rejects(
      register(deps, { email: 'ann@example.com', password: PASSWORD, body: { displayName: 'Ann', tenant: 'acme' } }, request),
      (e: unknown) => e instanceof ValidationError && e.errors.tenant?.[0] === 'cannot be changed',
    );
    assert.equal(await deps.store.findUserByEmail('ann@example.com'), undefined);
    await register(deps, { email: 'ann@example.com', password: PASSWORD, body: { displayName: 'Ann' } }, request);
    assert.deepEqual((await deps.store.findUserByEmail('ann@example.com'))?.attributes, { displayName: 'Ann' });
  });

  test('an invitee gives their attributes when accepting; required ones are enforced there', async () => {
    const deps = await memoryDeps(env);
    await inviteUser(deps, null, 'guest@example.com');
    const token = lastMailedToken(deps, 'guest@example.com', 'invitation');
    await assert.rejects(
      acceptInvitation(deps, token, { password: PASSWORD, body: {} }, request),
      (e: unknown) => e instanceof ValidationError && Boolean(e.errors.displayName),
    );
    const pair = await acceptInvitation(deps, token, { password: PASSWORD, body: { displayName: 'Guest' } }, request);
    assert.equal(pair.user.displayName, 'Guest');
    assert.deepEqual((await deps.store.findUserByEmail('guest@example.com'))?.attributes, { displayName: 'Guest' });
  });

  test('readUserAttributes merges rule errors into a FieldChecker; mergeAttributes keeps stored values', () => {
    const config = loadConfig(env);
    const check = new FieldChecker();
    assert.deepEqual(readUserAttributes({ config }, { displayName: '' }, { mode: 'update', actor: 'user' }, check), {});
    assert.deepEqual(check.errors, { displayName: ["can't be blank"] });
    assert.deepEqual(readUserAttributes({ config }, { tenant: 'acme' }, { mode: 'update', actor: 'admin' }), { tenant: 'acme' });
    assert.deepEqual(mergeAttributes({ attributes: { displayName: 'Ann', tenant: 'acme' } }, { displayName: 'Annie' }), {
      displayName: 'Annie',
      tenant: 'acme',
    });
  });
});
