import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { AuthError, ValidationError } from '../../shared/domain/errors.js';
import { notifyLocked, notifyPasswordChanged, notifyUnlocked } from '../../shared/flows/after-hooks.js';
import { renewSession, signIn } from '../../shared/flows/current-session.js';
import { confirmEmail } from '../../shared/flows/email-confirmation.js';
import { acceptInvitation, inviteUser } from '../../shared/flows/invitations.js';
import { register } from '../../shared/flows/registration.js';
import { hooksOf, lazyHooks } from '../../shared/hooks/load.js';
import { runBeforeHook } from '../../shared/hooks/run.js';
import { HookRejection, isHookRejection, type LatchHooks } from '../../shared/hooks/types.js';
import { lastMailedToken, type MemoryDeps, memoryDeps } from '../support/memory.js';

const PASSWORD = 'correct horse battery staple';
const request = { ip: '203.0.113.9', userAgent: 'test-agent/1.0' };

function code(error: unknown): string {
  return error instanceof AuthError ? error.code : `not an AuthError: ${String(error)}`;
}
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return code(error);
  }
}

async function depsWith(hooks: LatchHooks, env: Record<string, string> = {}): Promise<MemoryDeps> {
  // The same object the memory outbox delivers with (the mail sender renders with its hooks).
  const deps = await memoryDeps(env);
  deps.hooks = hooks;
  return deps;
}

/** A confirmed user made without hooks, then the hooks switched on. */
async function confirmedUserWith(hooks: LatchHooks, email = 'ann@example.com', env: Record<string, string> = {}): Promise<MemoryDeps> {
  const deps = await memoryDeps(env);
  await register(deps, { email, password: PASSWORD }, request);
  await confirmEmail(deps, lastMailedToken(deps, email, 'confirm-email'));
  deps.hooks = hooks;
  return deps;
}

function failedHookLogs(deps: MemoryDeps, hook: string) {
  return deps.log.lines.filter((l) => l.level === 'error' && l.fields.hook === hook);
}

describe('registration hooks', () => {
  test('a throwing beforeRegistration answers 503, creates no user and sends no mail', async () => {
    const deps = await depsWith({
      beforeRegistration: async () => {
        throw new Error('boom ann@example.com');
      },
    });
    assert.equal(await codeOf(register(deps, { email: 'ann@example.com', password: PASSWORD }, request)), 'service_unavailable');
    assert.equal(await deps.store.findUserByEmail('ann@example.com'), undefined);
    assert.equal(deps.mailer.sent.length, 0);
    assert.equal(deps.hasher.hashes, 0, 'refused before the password is hashed');
    const logged = failedHookLogs(deps, 'beforeRegistration');
    assert.equal(logged.length, 1);
    assert.ok(!JSON.stringify(logged).includes('ann@example.com'), 'the hook error message is not logged');
  });

  test('a beforeRegistration field rejection answers 422 with its errors and creates nothing', async () => {
    const deps = await depsWith({
      beforeRegistration: async () => {
        throw HookRejection.field('email', 'is not allowed');
      },
    });
    await assert.rejects(register(deps, { email: 'ann@example.com', password: PASSWORD }, request), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.deepEqual(error.errors, { email: ['is not allowed'] });
      return true;
    });
    assert.equal(await deps.store.findUserByEmail('ann@example.com'), undefined);
    assert.equal(deps.mailer.sent.length, 0);
  });

  test('a beforeRegistration forbidden rejection answers 403 forbidden', async () => {
    const deps = await depsWith({
      beforeRegistration: async () => {
        throw HookRejection.forbidden('Registration is closed.');
      },
    });
    await assert.rejects(
      register(deps, { email: 'ann@example.com', password: PASSWORD }, request),
      (e: unknown) => e instanceof AuthError && e.code === 'forbidden' && e.message === 'Registration is closed.',
    );
    assert.equal(await deps.store.findUserByEmail('ann@example.com'), undefined);
  });

  test('the rules run before the hook: an invalid body never reaches it', async () => {
    let calls = 0;
    const deps = await depsWith({
      beforeRegistration: async () => {
        calls += 1;
      },
    });
    assert.equal(await codeOf(register(deps, { email: 'bad', password: PASSWORD }, request)), 'validation_failed');
    assert.equal(calls, 0);
  });

  test('beforeRegistration may add declared attributes, which win over the client', async () => {
    const env = { AUTH_USER_ATTRIBUTES: JSON.stringify({ tenant: { type: 'string', editableBy: 'admin' }, nickname: { type: 'string' } }) };
    let seen: Record<string, unknown> | undefined;
    const deps = await depsWith(
      {
        beforeRegistration: async ({ attributes }) => {
          seen = attributes;
          return { attributes: { tenant: 'acme', nickname: 'set-by-hook' } };
        },
      },
      env,
    );
    await register(deps, { email: 'ann@example.com', password: PASSWORD, body: { nickname: 'annie' } }, request);
    assert.deepEqual(seen, { nickname: 'annie' });
    assert.deepEqual((await deps.store.findUserByEmail('ann@example.com'))?.attributes, { tenant: 'acme', nickname: 'set-by-hook' });
  });

  test('attributes a hook returns must be declared and valid: otherwise 503 and nothing stored', async () => {
    const env = { AUTH_USER_ATTRIBUTES: JSON.stringify({ tenant: { type: 'string', enum: ['acme'] } }) };
    for (const attributes of [{ passwordHash: 'x' }, { tenant: 'initech' }, { tenant: 42 }] as Array<Record<string, unknown>>) {
      const deps = await depsWith({ beforeRegistration: async () => ({ attributes }) }, env);
      assert.equal(await codeOf(register(deps, { email: 'ann@example.com', password: PASSWORD }, request)), 'service_unavailable', JSON.stringify(attributes));
      assert.equal(await deps.store.findUserByEmail('ann@example.com'), undefined);
      assert.equal(failedHookLogs(deps, 'beforeRegistration').length, 1);
    }
  });

  test('a throwing afterRegistration still registers (202 pending), mails, and logs', async () => {
    const deps = await depsWith({
      afterRegistration: async () => {
        throw new Error('webhook down');
      },
    });
    const result = await register(deps, { email: 'ann@example.com', password: PASSWORD }, request);
    assert.equal(result.kind, 'pending');
    assert.ok(await deps.store.findUserByEmail('ann@example.com'));
    assert.equal(deps.mailer.to('ann@example.com').length, 1);
    assert.equal(failedHookLogs(deps, 'afterRegistration').length, 1);
  });

  test('a throwing afterRegistration still answers with tokens (201) without confirmation', async () => {
    const deps = await depsWith(
      {
        afterRegistration: async () => {
          throw new Error('webhook down');
        },
      },
      { AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false' },
    );
    const result = await register(deps, { email: 'ann@example.com', password: PASSWORD }, request);
    assert.equal(result.kind, 'signedIn');
    assert.equal(failedHookLogs(deps, 'afterRegistration').length, 1);
  });

  test('afterRegistration sees the new user, and does not run for an already registered email', async () => {
    const seen: string[] = [];
    const deps = await depsWith({
      afterRegistration: async ({ user }) => {
        seen.push(user.email);
      },
    });
    await register(deps, { email: 'ann@example.com', password: PASSWORD }, request);
    await register(deps, { email: 'ANN@example.com', password: PASSWORD }, request);
    assert.deepEqual(seen, ['ann@example.com']);
  });
});

describe('sign-in hooks', () => {
  test('a beforeSignIn rejection answers 403 forbidden, creates no session and counts no failure', async () => {
    const deps = await confirmedUserWith(
      {
        beforeSignIn: async () => {
          throw HookRejection.field('ip', 'is not allowed');
        },
      },
      'ann@example.com',
      { AUTH_MAX_FAILED_SIGN_INS: '2' },
    );
    for (let i = 0; i < 3; i++) assert.equal(await codeOf(signIn(deps, { email: 'ann@example.com', password: PASSWORD }, request)), 'forbidden');
    const user = await deps.store.findUserByEmail('ann@example.com');
    assert.ok(user);
    assert.equal((await deps.store.listSessions(user.id)).length, 0);
    const counters = await deps.counters.getCounters([`ip:${request.ip}`], Math.floor(deps.clock.now() / 1000));
    assert.equal(counters.length, 0, 'no failure was recorded');
    deps.hooks = undefined;
    assert.ok((await signIn(deps, { email: 'ann@example.com', password: PASSWORD }, request)).accessToken, 'not locked out by the refusals');
  });

  test('beforeSignIn runs only after a correct password, and sees the user and request', async () => {
    const seen: Array<{ email: string; ip: string | null; rememberMe: boolean }> = [];
    const deps = await confirmedUserWith({
      beforeSignIn: async ({ user, request: r, rememberMe }) => {
        seen.push({ email: user.email, ip: r.ip, rememberMe });
      },
    });
    assert.equal(await codeOf(signIn(deps, { email: 'ann@example.com', password: 'wrong password!!' }, request)), 'invalid_credentials');
    assert.equal(seen.length, 0);
    await signIn(deps, { email: 'ann@example.com', password: PASSWORD, rememberMe: true }, request);
    assert.deepEqual(seen, [{ email: 'ann@example.com', ip: request.ip, rememberMe: true }]);
  });

  test('a throwing beforeSignIn answers 503 and creates no session', async () => {
    const deps = await confirmedUserWith({
      beforeSignIn: async () => {
        throw new TypeError('bug');
      },
    });
    assert.equal(await codeOf(signIn(deps, { email: 'ann@example.com', password: PASSWORD }, request)), 'service_unavailable');
    const user = await deps.store.findUserByEmail('ann@example.com');
    assert.equal((await deps.store.listSessions(user?.id ?? '')).length, 0);
  });

  test('afterSignIn gets the session id; a throwing one still signs in', async () => {
    let sid: string | undefined;
    const deps = await confirmedUserWith({
      afterSignIn: async ({ sessionId }) => {
        sid = sessionId;
        throw new Error('audit down');
      },
    });
    const tokens = await signIn(deps, { email: 'ann@example.com', password: PASSWORD }, request);
    assert.equal(decodeJwt(tokens.accessToken).sid, sid);
    assert.equal(failedHookLogs(deps, 'afterSignIn').length, 1);
  });
});

describe('tokenClaims hook', () => {
  test('adds claims to sign-in and renewal tokens; registered claims cannot be replaced', async () => {
    const deps = await confirmedUserWith({
      tokenClaims: async () => ({ tenant: 'acme', plan: { seats: 3 }, sub: 'someone-else', role: 'admin', exp: 9999999999, iss: 'evil' }),
    });
    const tokens = await signIn(deps, { email: 'ann@example.com', password: PASSWORD }, request);
    const claims = decodeJwt(tokens.accessToken);
    assert.equal(claims.tenant, 'acme');
    assert.deepEqual(claims.plan, { seats: 3 });
    assert.equal(claims.sub, tokens.user.id);
    assert.equal(claims.role, 'user');
    assert.equal(claims.iss, 'https://auth.test');
    assert.notEqual(claims.exp, 9999999999);
    assert.ok(deps.log.lines.some((l) => l.level === 'warn' && l.fields.hook === 'tokenClaims'));
    const renewed = await renewSession(deps, { renewalToken: tokens.renewalToken });
    assert.equal(decodeJwt(renewed.accessToken).tenant, 'acme');
  });

  test('claims over 1 KB or not JSON answer 503 and create no session', async () => {
    for (const bad of [{ big: 'x'.repeat(2000) }, { n: 10n }, ['not', 'an', 'object']] as unknown[]) {
      const deps = await confirmedUserWith({ tokenClaims: async () => bad as Record<string, unknown> });
      assert.equal(await codeOf(signIn(deps, { email: 'ann@example.com', password: PASSWORD }, request)), 'service_unavailable');
      const user = await deps.store.findUserByEmail('ann@example.com');
      assert.equal((await deps.store.listSessions(user?.id ?? '')).length, 0);
    }
  });

  test('a tokenClaims failure at renewal leaves the renewal token unspent', async () => {
    const deps = await confirmedUserWith({});
    const tokens = await signIn(deps, { email: 'ann@example.com', password: PASSWORD }, request);
    deps.hooks = {
      tokenClaims: async () => {
        throw new Error('claims service down');
      },
    };
    assert.equal(await codeOf(renewSession(deps, { renewalToken: tokens.renewalToken })), 'service_unavailable');
    deps.hooks = undefined;
    const renewed = await renewSession(deps, { renewalToken: tokens.renewalToken });
    assert.ok(renewed.accessToken, 'the same renewal token still works');
  });
});

describe('mail hooks', () => {
  test('renderMail replaces the rendering with the template data; the recipient cannot change', async () => {
    const deps = await depsWith({
      renderMail: async ({ template, data, message }) => ({ subject: `[${template}]`, text: `go to ${String(data.link)} ${message.to}`, html: '<p>hi</p>' }),
    });
    // A hook returning `to` is ignored: mail only goes to stored addresses.
    const hooks = deps.hooks as LatchHooks;
    const inner = hooks.renderMail;
    hooks.renderMail = async (ctx) => ({ ...(await inner?.(ctx)), to: 'attacker@example.net' }) as never;
    await register(deps, { email: 'ann@example.com', password: PASSWORD }, request);
    const [mail] = deps.mailer.sent;
    assert.equal(mail?.to, 'ann@example.com');
    assert.equal(mail?.subject, '[confirmEmail]');
    assert.match(mail?.text ?? '', /go to https:\/\/app\.test\/confirm-email\/\S+ ann@example\.com/);
  });

  test('sendMail returning true replaces the mailer; every mail (lockout, invitation, notice) passes through it', async () => {
    const seen: string[] = [];
    const deps = await confirmedUserWith(
      {
        sendMail: async ({ template }) => {
          seen.push(template);
          return true;
        },
      },
      'ann@example.com',
      { AUTH_MAX_FAILED_SIGN_INS: '2' },
    );
    const before = deps.mailer.sent.length;
    await register(deps, { email: 'ann@example.com', password: PASSWORD }, request); // taken: notice
    for (let i = 0; i < 2; i++) await codeOf(signIn(deps, { email: 'ann@example.com', password: 'wrong password!!' }, { ip: null, userAgent: null }));
    const ann = await deps.store.findUserByEmail('ann@example.com');
    await inviteUser(deps, ann?.id ?? null, 'guest@example.com');
    await register(deps, { email: 'bob@example.com', password: PASSWORD }, request);
    assert.deepEqual(seen, ['alreadyRegistered', 'lockedOut', 'invitation', 'confirmEmail']);
    assert.equal(deps.mailer.sent.length, before, 'nothing went through the mailer');
  });

  test('sendMail returning nothing falls back to the mailer; a throwing renderMail leaves the mail queued for a retry', async () => {
    const deps = await depsWith({ sendMail: async () => undefined });
    await register(deps, { email: 'ann@example.com', password: PASSWORD }, request);
    assert.equal(deps.mailer.to('ann@example.com').length, 1);
    deps.hooks = {
      renderMail: async () => {
        throw new Error('template bug');
      },
    };
    // The mail sender renders (mail is queued as data): the request is answered as usual, the
    // sender's delivery fails as a failed dependency, and the mail waits in the outbox for its retry.
    await register(deps, { email: 'bob@example.com', password: PASSWORD }, request);
    assert.equal(deps.mailer.to('bob@example.com').length, 0);
    assert.equal([...deps.store.outbox.values()].filter((m) => m.template === 'confirmEmail').length, 1);
    assert.equal(failedHookLogs(deps, 'renderMail').length, 1);
  });
});

describe('password and lock notifications', () => {
  test('accepting an invitation calls afterPasswordChange with reason invitation', async () => {
    const calls: Array<{ email: string; reason: string; confirmed: unknown }> = [];
    const deps = await confirmedUserWith({});
    const ann = await deps.store.findUserByEmail('ann@example.com');
    await inviteUser(deps, ann?.id ?? null, 'guest@example.com');
    deps.hooks = {
      afterPasswordChange: async ({ user, reason }) => {
        calls.push({ email: user.email, reason, confirmed: user.emailConfirmed });
        throw new Error('ignored');
      },
    };
    const pair = await acceptInvitation(deps, lastMailedToken(deps, 'guest@example.com', 'invitation'), { password: PASSWORD }, request);
    assert.ok(pair.accessToken);
    assert.deepEqual(calls, [{ email: 'guest@example.com', reason: 'invitation', confirmed: true }]);
  });

  test('the notify helpers call their hooks with the public user and never throw', async () => {
    const calls: string[] = [];
    const deps = await confirmedUserWith({
      afterPasswordChange: async ({ reason, user }) => {
        calls.push(`password:${reason}:${'passwordHash' in user}`);
        throw new Error('x');
      },
      afterLock: async ({ by }) => {
        calls.push(`lock:${by}`);
        throw new Error('x');
      },
      afterUnlock: async ({ by }) => {
        calls.push(`unlock:${by}`);
      },
    });
    const user = await deps.store.findUserByEmail('ann@example.com');
    assert.ok(user);
    await notifyPasswordChanged(deps, user, 'reset');
    await notifyLocked(deps, user, 'admin-1');
    await notifyUnlocked(deps, user, null);
    assert.deepEqual(calls, ['password:reset:false', 'lock:admin-1', 'unlock:null']);
    assert.equal(deps.log.lines.filter((l) => l.message === 'after-hook failed').length, 2);
  });
});

describe('hook loading', () => {
  test('a rejection thrown by a separately bundled copy of HookRejection is still recognised', async () => {
    const foreign = Object.assign(new Error('no'), {
      kind: 'validation_failed',
      errors: { email: ['is not allowed'] },
      [Symbol.for('latch.HookRejection')]: true,
    });
    assert.ok(isHookRejection(foreign));
    assert.ok(!isHookRejection(new Error('plain')));
    const deps = await memoryDeps();
    await assert.rejects(
      runBeforeHook(
        {
          hooks: {
            beforeSignIn: async () => {
              throw foreign;
            },
          },
          log: deps.log,
        },
        'beforeSignIn',
        { user: {} as never, rememberMe: false, request, amr: ['pwd'], method: 'password' },
      ),
      (e: unknown) => e instanceof ValidationError && e.errors.email?.[0] === 'is not allowed',
    );
  });

  test('a default export naming an unknown hook is refused; named exports may include helpers', () => {
    assert.throws(() => hooksOf({ default: { beforeSignin: async () => undefined } }), /not a hook/);
    assert.throws(() => hooksOf({ default: { beforeSignIn: 'nope' } }), /must be a function/);
    const named = hooksOf({ helper: () => 1, afterLock: async () => undefined });
    assert.deepEqual(Object.keys(named), ['afterLock']);
  });

  test('lazyHooks fails fast on a missing file and loads a module on first use', async () => {
    assert.throws(() => lazyHooks('no/such/hooks.mjs'), /no file/);
    const dir = mkdtempSync(path.join(tmpdir(), 'latch-hooks-'));
    const file = path.join(dir, 'hooks.mjs');
    writeFileSync(file, 'export default { async tokenClaims({ user }) { return { tenant: user.email.split("@")[1] }; } };\n');
    const hooks = lazyHooks(file);
    assert.deepEqual(await hooks.tokenClaims?.({ user: { email: 'a@acme.test' } as never, sessionId: 's' }), { tenant: 'acme.test' });
    assert.equal(await hooks.afterLock?.({ user: {} as never, by: null }), undefined, 'a hook the module lacks does nothing');
  });
});
