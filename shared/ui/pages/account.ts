import { ValidationError } from '../../domain/errors.js';
import { deleteMe, getMe, updateMe } from '../../flows/account.js';
import { myActivity } from '../../flows/audit-queries.js';
import { signOut } from '../../flows/current-session.js';
import { requestInfo } from '../../http/request.js';
import { type Ctx, messagePage, type PageHandlers, page, type Result, redirect, signedIn, summary, viewOf, withFormErrors } from '../kit.js';
import { field, form, h, notice, type PageErrors, renderPage, t, when } from '../render.js';
import { COOKIES, clearCookie } from '../security.js';
import { languageSection } from './locale.js';
import { enrolmentRedirect } from './security.js';

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

/** Events per page of the activity list. */
const ACTIVITY_PAGE = 25;

/**
 * The user's own activity (`GET /me/activity`'s flow), newest first, paged by its opaque cursor
 * ("older" follows `nextCursor`; "newest" starts again). An unreadable cursor shows the first page.
 */
async function activityPage(ctx: Ctx): Promise<Result> {
  const { user } = signedIn(ctx);
  const view = viewOf(ctx);
  const cursor = ctx.query.cursor && ctx.query.cursor.length <= 2048 ? ctx.query.cursor : undefined;
  let list: Awaited<ReturnType<typeof myActivity>>;
  try {
    list = await myActivity(ctx.deps, user.id, { limit: ACTIVITY_PAGE, cursor });
  } catch (error) {
    if (!(error instanceof ValidationError) || cursor === undefined) throw error;
    list = await myActivity(ctx.deps, user.id, { limit: ACTIVITY_PAGE });
  }
  const body = [
    h('p', null, t(view, 'activity.intro')),
    list.events.length === 0
      ? h('p', null, t(view, 'activity.none'))
      : h(
          'ul',
          { class: 'sessions activity' },
          list.events.map((event) =>
            h(
              'li',
              { key: event.id },
              h('p', { class: 'item-name' }, h('code', null, event.type), event.outcome === 'failure' ? ` · ${t(view, 'activity.failed')}` : ''),
              h(
                'dl',
                null,
                h('dt', null, t(view, 'activity.when')),
                h('dd', null, when(view, event.at)),
                event.ip ? [h('dt', { key: 'ip-t' }, t(view, 'activity.ip')), h('dd', { key: 'ip-d' }, event.ip)] : null,
                event.userAgent ? [h('dt', { key: 'ua-t' }, t(view, 'sessions.device')), h('dd', { key: 'ua-d' }, event.userAgent)] : null,
                event.actor.kind !== 'user' ? [h('dt', { key: 'by-t' }, t(view, 'activity.by')), h('dd', { key: 'by-d' }, event.actor.kind)] : null,
              ),
            ),
          ),
        ),
    h(
      'nav',
      { 'aria-label': t(view, 'activity.pages') },
      h(
        'ul',
        { class: 'links' },
        cursor ? h('li', null, h('a', { href: '/ui/account/activity' }, t(view, 'activity.newest'))) : null,
        list.nextCursor
          ? h('li', null, h('a', { href: `/ui/account/activity?cursor=${encodeURIComponent(list.nextCursor)}` }, t(view, 'activity.older')))
          : null,
      ),
    ),
  ];
  return page(ctx, 200, renderPage(view, 'activity.title', body));
}

async function postSignOut(ctx: Ctx): Promise<Result> {
  if (ctx.signedIn) await signOut(ctx.deps, ctx.signedIn.principal, requestInfo(ctx.event));
  ctx.signedIn = undefined;
  ctx.setCookies.push(clearCookie(COOKIES.session));
  return redirect(ctx, '/ui/signed-out');
}

/** Signed-in pages: GET shows, POST submits. */
export const accountPages = {
  'GET /ui/account': async (ctx) => enrolmentRedirect(ctx) ?? accountPage(ctx, {}, {}),
  'GET /ui/account/activity': async (ctx) => enrolmentRedirect(ctx) ?? activityPage(ctx),
  'POST /ui/account/email': postAccountEmail,
  'POST /ui/account/password': postAccountPassword,
  'POST /ui/account/delete': postAccountDelete,
  'POST /ui/sign-out': postSignOut,
} satisfies PageHandlers;
