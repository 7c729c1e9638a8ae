import { AuthError } from '../../domain/errors.js';
import { deleteMe, getMe, updateMe } from '../../flows/account.js';
import { signOut } from '../../flows/current-session.js';
import { listMySessions, revokeMySession, revokeMySessions } from '../../flows/my-sessions.js';
import { requestInfo } from '../../http/request.js';
import { type Ctx, messagePage, type PageRoute, page, type Result, redirect, route, signedIn, summary, viewOf, withFormErrors } from '../kit.js';
import { field, form, h, notice, type PageErrors, renderPage, t } from '../render.js';
import { COOKIES, clearCookie } from '../security.js';
import { languageSection } from './locale.js';

async function accountPage(ctx: Ctx, errors: Record<string, PageErrors>, options: { saved?: boolean; values?: { email?: string } }): Promise<Result> {
  const me = await getMe(ctx.deps, signedIn(ctx).principal);
  const view = viewOf(ctx);
  const section = (formId: string) => errors[formId] ?? {};
  const emailErrors = section('account-email');
  const passwordErrors = section('account-password');
  const deleteErrors = section('account-delete');
  const anyErrors = Object.values(errors).some((e) => Object.keys(e).length > 0);
  // Field ids are unique on the page: each form's fields carry its prefix.
  const prefixed = (prefix: string, e: PageErrors) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k === '_form' ? k : `${prefix}-${k}`, v]));
  const allErrors: PageErrors = { ...prefixed('email', emailErrors), ...prefixed('password', passwordErrors), ...prefixed('delete', deleteErrors) };
  const labels = {
    'email-email': t(view, 'field.newEmail'),
    'email-currentPassword': t(view, 'field.currentPassword'),
    'password-password': t(view, 'field.newPassword'),
    'password-passwordConfirmation': t(view, 'field.passwordConfirmation'),
    'password-currentPassword': t(view, 'field.currentPassword'),
    'delete-currentPassword': t(view, 'field.currentPassword'),
  };
  const body = [
    anyErrors ? summary(view, allErrors, labels) : null,
    options.saved ? notice(t(view, 'account.saved')) : null,
    h('p', null, t(view, 'account.signedInAs', { email: me.email })),
    me.unconfirmedEmail ? h('p', { class: 'muted' }, t(view, 'account.pending', { email: me.unconfirmedEmail })) : null,
    h('h2', { id: 'email-title' }, t(view, 'account.emailTitle')),
    form(
      view,
      'account-email',
      '/ui/account/email',
      [
        field(view, {
          name: 'email-email',
          label: labels['email-email'],
          type: 'email',
          autocomplete: 'email',
          value: options.values?.email,
          errors: emailErrors.email,
        }),
        field(view, {
          name: 'email-currentPassword',
          label: labels['email-currentPassword'],
          type: 'password',
          autocomplete: 'current-password',
          errors: emailErrors.currentPassword,
        }),
      ],
      t(view, 'account.emailSubmit'),
    ),
    h('h2', null, t(view, 'account.passwordTitle')),
    form(
      view,
      'account-password',
      '/ui/account/password',
      [
        h('input', { type: 'text', name: 'username', autoComplete: 'username', value: me.email, hidden: true, readOnly: true }),
        field(view, {
          name: 'password-currentPassword',
          label: labels['password-currentPassword'],
          type: 'password',
          autocomplete: 'current-password',
          errors: passwordErrors.currentPassword,
        }),
        field(view, {
          name: 'password-password',
          label: labels['password-password'],
          type: 'password',
          autocomplete: 'new-password',
          errors: passwordErrors.password,
        }),
        field(view, {
          name: 'password-passwordConfirmation',
          label: labels['password-passwordConfirmation'],
          type: 'password',
          autocomplete: 'new-password',
          errors: passwordErrors.passwordConfirmation,
        }),
      ],
      t(view, 'account.passwordSubmit'),
    ),
    ...languageSection(view, me.locale),
    h('h2', null, t(view, 'account.deleteTitle')),
    h('p', null, t(view, 'account.deleteWarning')),
    form(
      view,
      'account-delete',
      '/ui/account/delete',
      [
        field(view, {
          name: 'delete-currentPassword',
          label: labels['delete-currentPassword'],
          type: 'password',
          autocomplete: 'current-password',
          errors: deleteErrors.currentPassword,
        }),
      ],
      t(view, 'account.deleteSubmit'),
      { danger: true },
    ),
  ];
  return page(ctx, anyErrors ? 422 : 200, renderPage(view, 'account.title', body));
}

async function postAccountEmail(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  return withFormErrors(
    ctx,
    async () => {
      await updateMe(
        ctx.deps,
        principal,
        { currentPassword: ctx.form['email-currentPassword'], email: ctx.form['email-email'], body: {} },
        requestInfo(ctx.event),
      );
      return accountPage(ctx, {}, { saved: true });
    },
    (errors) => accountPage(ctx, { 'account-email': errors }, { values: { email: ctx.form['email-email'] ?? '' } }),
  );
}

async function postAccountPassword(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  return withFormErrors(
    ctx,
    async () => {
      await updateMe(
        ctx.deps,
        principal,
        {
          currentPassword: ctx.form['password-currentPassword'],
          password: ctx.form['password-password'],
          passwordConfirmation: ctx.form['password-passwordConfirmation'],
          body: {},
        },
        requestInfo(ctx.event),
      );
      return accountPage(ctx, {}, { saved: true });
    },
    (errors) => accountPage(ctx, { 'account-password': errors }, {}),
  );
}

async function postAccountDelete(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  return withFormErrors(
    ctx,
    async () => {
      await deleteMe(ctx.deps, principal, { currentPassword: ctx.form['delete-currentPassword'] }, requestInfo(ctx.event));
      ctx.signedIn = undefined;
      ctx.setCookies.push(clearCookie(COOKIES.session));
      return messagePage(ctx, 'deleted.title', 'deleted.body', 200, true);
    },
    (errors) => accountPage(ctx, { 'account-delete': errors }, {}),
  );
}

async function sessionsPage(ctx: Ctx, options: { revoked?: boolean } = {}): Promise<Result> {
  const { principal } = signedIn(ctx);
  const { sessions } = await listMySessions(ctx.deps, principal, { limit: 100 });
  const view = viewOf(ctx);
  const when = (iso: string) =>
    new Intl.DateTimeFormat(ctx.locale.startsWith('de') ? 'de' : 'en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso));
  const body = [
    options.revoked ? notice(t(view, 'sessions.revoked')) : null,
    h('p', null, t(view, 'sessions.intro')),
    h(
      'ul',
      { class: 'sessions' },
      sessions.map((s) =>
        h(
          'li',
          { key: s.id },
          s.current ? h('p', { class: 'badge' }, t(view, 'sessions.current')) : null,
          h(
            'dl',
            null,
            h('dt', null, t(view, 'sessions.device')),
            h('dd', null, s.userAgent ?? t(view, 'sessions.unknownDevice')),
            h('dt', null, t(view, 'sessions.signedIn')),
            h('dd', null, `${when(s.createdAt)} UTC`),
            h('dt', null, t(view, 'sessions.lastUsed')),
            h('dd', null, `${when(s.lastUsedAt)} UTC`),
          ),
          s.current
            ? null
            : h(
                'form',
                { method: 'post', action: '/ui/account/sessions/revoke' },
                h('input', { type: 'hidden', name: '_csrf', value: view.csrf('sessions-revoke') }),
                h('input', { type: 'hidden', name: 'id', value: s.id }),
                h('button', { type: 'submit', class: 'secondary' }, t(view, 'sessions.revoke')),
              ),
        ),
      ),
    ),
    form(view, 'sessions-revoke-all', '/ui/account/sessions/revoke-all', null, t(view, 'sessions.revokeAll'), { danger: true }),
  ];
  return page(ctx, 200, renderPage(view, 'sessions.title', body));
}

async function postRevokeSession(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  const id = ctx.form.id ?? '';
  if (id === principal.sessionId) return postSignOut(ctx);
  try {
    await revokeMySession(ctx.deps, principal, id, requestInfo(ctx.event));
  } catch (error) {
    // Another device's session that is already gone: the list shows what is left.
    if (!(error instanceof AuthError && (error.code === 'not_found' || error.code === 'validation_failed'))) throw error;
  }
  return sessionsPage(ctx, { revoked: true });
}

async function postRevokeAll(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  await revokeMySessions(ctx.deps, principal, requestInfo(ctx.event));
  ctx.signedIn = undefined;
  ctx.setCookies.push(clearCookie(COOKIES.session));
  return redirect(ctx, '/ui/signed-out');
}

async function postSignOut(ctx: Ctx): Promise<Result> {
  if (ctx.signedIn) await signOut(ctx.deps, ctx.signedIn.principal, requestInfo(ctx.event));
  ctx.signedIn = undefined;
  ctx.setCookies.push(clearCookie(COOKIES.session));
  return redirect(ctx, '/ui/signed-out');
}

/** Signed-in pages: GET shows, POST submits. */
export const accountPages: PageRoute[] = [
  route('GET', '/ui/account', 'user', async (ctx) => accountPage(ctx, {}, {})),
  route('POST', '/ui/account/email', 'user', postAccountEmail, 'account-email'),
  route('POST', '/ui/account/password', 'user', postAccountPassword, 'account-password'),
  route('POST', '/ui/account/delete', 'user', postAccountDelete, 'account-delete'),
  route('GET', '/ui/account/sessions', 'user', async (ctx) => sessionsPage(ctx)),
  route('POST', '/ui/account/sessions/revoke', 'user', postRevokeSession, 'sessions-revoke'),
  route('POST', '/ui/account/sessions/revoke-all', 'user', postRevokeAll, 'sessions-revoke-all'),
  route('POST', '/ui/sign-out', 'any', postSignOut, 'sign-out'),
];
