/**
 * The step-up page (docs/specs/hosted-ui.md §5.2, `mfa-and-passkeys.md` §4): the user's
 * `reauthMethods` (password, plus a code for an MFA user; a passkey; the linked providers). Every
 * (R) action of the signed-in pages that finds no fresh authentication comes here with
 * `return=<the page>` and goes back after the step-up.
 */
import { AuthError } from '../../domain/errors.js';
import { myIdentities } from '../../flows/oauth.js';
import { reauthenticate, reauthMethodsOf } from '../../flows/reauthenticate.js';
import { requestInfo } from '../../http/request.js';
import { translate } from '../i18n.js';
import { type Ctx, type PageHandlers, page, pageErrorsOf, type Result, redirect, signedIn, summary, viewOf } from '../kit.js';
import { codeField, field, form, h, links, type PageErrors, passkeyButton, renderPage, t } from '../render.js';
import { safeReturn } from '../security.js';

/** Where a step-up goes back to: a same-origin page (§4), else the security page. */
export function returnOf(ctx: Ctx): string {
  return safeReturn(ctx.query.return, ctx.uiOrigin) ?? '/ui/account/security';
}

/** The step-up page's address for a page to come back to. */
export function reauthenticateUrl(back: string): string {
  return `/ui/reauthenticate?return=${encodeURIComponent(back)}`;
}

/** Whether a flow refused for want of fresh authentication (`403 reauthentication_required`). */
export function needsStepUp(error: unknown): boolean {
  return error instanceof AuthError && error.code === 'reauthentication_required';
}

/** A provider's display name from the configuration (the id when it is not configured any more). */
export function providerName(ctx: Ctx, id: string): string {
  return ctx.deps.config.oauthProviders.find((p) => p.id === id)?.name ?? id;
}

/** The step-up page; `back` and `status` when another page answers with it (a provider step-up's wrong code). */
export async function reauthenticatePage(ctx: Ctx, errors: PageErrors, back = returnOf(ctx), status?: number): Promise<Result> {
  const { user, principal } = signedIn(ctx);
  const view = viewOf(ctx);
  const methods = reauthMethodsOf(user);
  const { identities } = await myIdentities(ctx.deps, principal);
  const labels = { currentPassword: t(view, 'field.currentPassword'), code: t(view, 'field.code') };
  const body = [
    summary(view, errors, labels),
    h('p', null, t(view, 'reauth.intro')),
    methods.includes('password')
      ? form(
          view,
          'reauthenticate',
          reauthenticateUrl(back),
          [
            h('input', { type: 'text', name: 'username', autoComplete: 'username', value: user.email, hidden: true, readOnly: true }),
            field(view, {
              name: 'currentPassword',
              label: labels.currentPassword,
              type: 'password',
              autocomplete: 'current-password',
              errors: errors.currentPassword,
            }),
            user.mfaEnabled ? codeField(view, labels.code, errors.code, t(view, 'reauth.codeHint')) : null,
          ],
          t(view, 'reauth.submit'),
        )
      : null,
    methods.includes('webauthn') ? h('p', null, passkeyButton(view, 'reauthenticate', t(view, 'reauth.passkey'))) : null,
    identities.length > 0
      ? links(
          identities.map((identity) => ({
            href: `/ui/oauth/${encodeURIComponent(identity.provider)}/start?${new URLSearchParams({ intent: 'reauthenticate', return: back })}`,
            text: t(view, 'reauth.provider', { provider: providerName(ctx, identity.provider) }),
          })),
        )
      : null,
    !methods.includes('password') && identities.length === 0 ? h('p', { class: 'muted' }, t(view, 'reauth.signInAgain')) : null,
  ];
  return page(ctx, status ?? (Object.keys(errors).length ? (errors._form ? 401 : 422) : 200), renderPage(view, 'reauth.title', body));
}

async function postReauthenticate(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  try {
    await reauthenticate(ctx.deps, principal, { currentPassword: ctx.form.currentPassword ?? '', code: ctx.form.code }, requestInfo(ctx.event));
    return redirect(ctx, returnOf(ctx));
  } catch (error) {
    if (error instanceof AuthError && error.code === 'invalid_code') return reauthenticatePage(ctx, { code: [translate(ctx.locale, 'error.invalidCode')] });
    if (error instanceof AuthError && error.code === 'invalid_credentials')
      return reauthenticatePage(ctx, { currentPassword: [translate(ctx.locale, 'error.field.invalid')] });
    const errors = pageErrorsOf(ctx, error);
    if (!errors) throw error;
    return reauthenticatePage(ctx, errors);
  }
}

/** The step-up page: GET shows the user's methods, POST steps up with the password (and code). */
export const reauthenticatePages = {
  'GET /ui/reauthenticate': async (ctx) => reauthenticatePage(ctx, {}),
  'POST /ui/reauthenticate': postReauthenticate,
} satisfies PageHandlers;
