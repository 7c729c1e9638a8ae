import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import allowedDomainsHooks, { allowedEmailDomains, emailDomain } from '../../examples/extensions/allowed-email-domains.js';
import tenantClaimHooks, { tenantOf } from '../../examples/extensions/tenant-claim.js';
import { ValidationError } from '../../shared/domain/errors.js';
import { signIn } from '../../shared/flows/current-session.js';
import { confirmEmail } from '../../shared/flows/email-confirmation.js';
import { register } from '../../shared/flows/registration.js';
import { lastMailedToken, memoryDeps } from '../support/memory.js';

const PASSWORD = 'correct horse battery staple';
const request = { ip: null, userAgent: null };

describe('example: allowed-email-domains', () => {
  const saved = process.env.ALLOWED_EMAIL_DOMAINS;
  afterEach(() => {
    if (saved === undefined) delete process.env.ALLOWED_EMAIL_DOMAINS;
    else process.env.ALLOWED_EMAIL_DOMAINS = saved;
  });

  test('registration from a listed domain goes through, in any case', async () => {
    const deps = { ...(await memoryDeps()), hooks: allowedEmailDomains(['example.com', 'Example.org']) };
    await register(deps, { email: 'Ann@EXAMPLE.org', password: PASSWORD }, request);
    assert.ok(await deps.store.findUserByEmail('ann@example.org'));
  });

  test('another domain (a subdomain too) is 422 errors.email "is not allowed", and nothing is stored or mailed', async () => {
    const deps = { ...(await memoryDeps()), hooks: allowedEmailDomains(['example.com']) };
    for (const email of ['eve@evil.test', 'eve@sub.example.com', 'eve@example.com.evil.test']) {
      await assert.rejects(
        register(deps, { email, password: PASSWORD }, request),
        (e: unknown) => e instanceof ValidationError && e.errors.email?.[0] === 'is not allowed',
        email,
      );
    }
    assert.equal(deps.mailer.sent.length, 0);
    assert.equal((await deps.store.listUsers({ limit: 10 })).users.length, 0);
  });

  test('the module reads ALLOWED_EMAIL_DOMAINS, and fails closed (503) without it', async () => {
    const deps = { ...(await memoryDeps()), hooks: allowedDomainsHooks };
    process.env.ALLOWED_EMAIL_DOMAINS = 'example.com, example.org';
    await register(deps, { email: 'ann@example.org', password: PASSWORD }, request);
    await assert.rejects(
      register(deps, { email: 'eve@evil.test', password: PASSWORD }, request),
      (e: unknown) => e instanceof ValidationError && e.code === 'validation_failed',
    );
    delete process.env.ALLOWED_EMAIL_DOMAINS;
    await assert.rejects(
      register(deps, { email: 'bob@example.org', password: PASSWORD }, request),
      (e: unknown) => (e as { code?: string }).code === 'service_unavailable',
    );
  });

  test('emailDomain takes what follows the last @', () => {
    assert.equal(emailDomain('"a@b"@Example.COM'), 'example.com');
  });
});

describe('example: tenant-claim', () => {
  test('the tenant claim comes from the tenant attribute, else from the email domain', async () => {
    const deps = {
      ...(await memoryDeps({ AUTH_USER_ATTRIBUTES: JSON.stringify({ tenant: { type: 'string', editableBy: 'admin' } }) })),
      hooks: tenantClaimHooks,
    };
    await register(deps, { email: 'ann@acme.test', password: PASSWORD }, request);
    await confirmEmail(deps, lastMailedToken(deps, 'ann@acme.test', 'confirm-email'));
    const byDomain = await signIn(deps, { email: 'ann@acme.test', password: PASSWORD }, request);
    assert.equal(decodeJwt(byDomain.accessToken).tenant, 'acme.test');

    const ann = await deps.store.findUserByEmail('ann@acme.test');
    assert.ok(ann);
    await deps.store.commit([{ type: 'updateUser', id: ann.id, set: { attributes: { tenant: 'acme-corp' } } }]);
    const byAttribute = await signIn(deps, { email: 'ann@acme.test', password: PASSWORD }, request);
    assert.equal(decodeJwt(byAttribute.accessToken).tenant, 'acme-corp');
    assert.equal(byAttribute.user.tenant, 'acme-corp');
  });

  test('tenantOf ignores an empty or non-string attribute', () => {
    assert.equal(tenantOf({ email: 'a@Globex.test', tenant: '' }), 'globex.test');
    assert.equal(tenantOf({ email: 'a@globex.test', tenant: 3 }), 'globex.test');
  });
});
