import { AuthError } from '../../domain/errors.js';
import { isUserLocale } from '../../domain/locales.js';
import { signIn } from '../../flows/current-session.js';
import { confirmEmail, resendConfirmation } from '../../flows/email-confirmation.js';
import { acceptInvitation, showInvitation } from '../../flows/invitations.js';
import { completeMfa } from '../../flows/mfa-second-step.js';
import { checkResetToken, requestPasswordReset, resetPassword } from '../../flows/password-reset.js';
import { register } from '../../flows/registration.js';
import type { TokenPair } from '../../flows/token-pair.js';
import { requestInfo } from '../../http/request.js';
import { translate } from '../i18n.js';
import {
  type Ctx,
  messagePage,
  type PageHandlers,
  page,
  pageErrorsOf,
  type Result,
  redirect,
  startUiSession,
  statusOf,
  summary,
  uiRequest,
  viewOf,
  withFormErrors,
} from '../kit.js';
import { codeField, field, form, h, links, notice, type PageErrors, passkeyButton, renderPage, t } from '../render.js';
import { challengeHasPasskey, challengeOf } from '../second-step.js';
import { COOKIES, clearCookie, safeReturn, setCookie } from '../security.js';
import { providerLinks } from './oauth.js';

function signInPage(ctx: Ctx, errors: PageErrors, values: { email?: string }): Result {
  const view = viewOf(ctx);
  const labels = { email: t(view, 'field.email'), password: t(view, 'field.password') };
  const ret = safeReturn(ctx.query.return, ctx.uiOrigin);
  const action = ret ? `/ui/sign-in?return=${encodeURIComponent(ret)}` : '/ui/sign-in';
  const body = [
    summary(view, errors, labels),
    form(
      view,
      'sign-in',
      action,
      [
        field(view, { name: 'email', label: labels.email, type: 'email', autocomplete: 'username webauthn', value: values.email, errors: errors.email }),
        field(view, { name: 'password', label: labels.password, type: 'password', autocomplete: 'current-password', errors: errors.password }),
        h(
          'div',
          { class: 'check' },
          h('input', { type: 'checkbox', id: 'rememberMe', name: 'rememberMe', value: 'on' }),
          h('label', { for: 'rememberMe' }, t(view, 'field.rememberMe')),
        ),
      ],
      t(view, 'signIn.submit'),
    ),
    h('p', null, passkeyButton(view, 'sign-in', t(view, 'signIn.passkey'))),
    providerLinks(ctx, view),
    links([
      { href: '/ui/sign-up', text: t(view, 'signIn.signUp') },
      { href: '/ui/forgot-password', text: t(view, 'signIn.forgot') },
      { href: '/ui/confirm-email/resend', text: t(view, 'signIn.resend') },
    ]),
  ];
  return page(ctx, Object.keys(errors).length ? statusOf(errors) : 200, renderPage(view, 'signIn.title', body));
}

async function postSignIn(ctx: Ctx): Promise<Result> {
  const rememberMe = ctx.form.rememberMe === 'on';
  return withFormErrors(
    ctx,
    async () => {
      let tokens: TokenPair;
      try {
        tokens = await signIn(ctx.deps, { email: ctx.form.email, password: ctx.form.password, rememberMe }, uiRequest(ctx));
      } catch (error) {
        // The first factor was right and the user has a second one: the challenge waits in its cookie.
        const challenge = challengeOf(error);
        if (!challenge) throw error;
        ctx.setCookies.push(setCookie(COOKIES.mfa, challenge.mfaToken, challenge.expiresIn));
        const ret = safeReturn(ctx.query.return, ctx.uiOrigin);
        return redirect(
          ctx,
          `/ui/sign-in/mfa?${new URLSearchParams({ minutes: String(Math.ceil(challenge.expiresIn / 60)), ...(rememberMe ? { rememberMe: 'on' } : {}), ...(ret ? { return: ret } : {}) })}`,
        );
      }
      return startUiSession(ctx, tokens, rememberMe, safeReturn(ctx.query.return, ctx.uiOrigin) ?? '/ui/account');
    },
    (errors) => signInPage(ctx, errors, { email: ctx.form.email ?? '' }),
  );
}

/** The second step (§5.1): a code from the authenticator app or a recovery code; the time limit said on the page. */
async function secondStepPage(ctx: Ctx, errors: PageErrors): Promise<Result> {
  if (!ctx.cookies[COOKIES.mfa]) return redirect(ctx, '/ui/sign-in');
  const withPasskey = await challengeHasPasskey(ctx.deps, ctx.cookies[COOKIES.mfa]);
  const view = viewOf(ctx);
  const labels = { code: t(view, 'field.code') };
  const minutes = Math.min(15, Math.max(1, Number.parseInt(ctx.query.minutes ?? '5', 10) || 5));
  const query = new URLSearchParams({
    minutes: String(minutes),
    ...(ctx.query.rememberMe === 'on' ? { rememberMe: 'on' } : {}),
    ...(safeReturn(ctx.query.return, ctx.uiOrigin) ? { return: safeReturn(ctx.query.return, ctx.uiOrigin) as string } : {}),
  });
  const body = [
    summary(view, errors, labels),
    h('p', null, t(view, 'mfa.intro')),
    h('p', { class: 'muted' }, t(view, 'mfa.timeLimit', { minutes })),
    form(view, 'sign-in-mfa', `/ui/sign-in/mfa?${query}`, [codeField(view, labels.code, errors.code)], t(view, 'mfa.submit')),
    withPasskey ? h('p', null, passkeyButton(view, 'mfa', t(view, 'mfa.passkey'))) : null,
    links([{ href: '/ui/sign-in', text: t(view, 'mfa.startAgain') }]),
  ];
  return page(ctx, Object.keys(errors).length ? 401 : 200, renderPage(view, 'mfa.title', body));
}

async function postSecondStep(ctx: Ctx): Promise<Result> {
  const mfaToken = ctx.cookies[COOKIES.mfa];
  if (!mfaToken) return redirect(ctx, '/ui/sign-in');
  const rememberMe = ctx.query.rememberMe === 'on';
  try {
    const tokens = await completeMfa(ctx.deps, { mfaToken, code: ctx.form.code ?? '' }, uiRequest(ctx));
    ctx.setCookies.push(clearCookie(COOKIES.mfa));
    return startUiSession(ctx, tokens, rememberMe, safeReturn(ctx.query.return, ctx.uiOrigin) ?? '/ui/account');
  } catch (error) {
    if (error instanceof AuthError && error.code === 'invalid_code') return secondStepPage(ctx, { code: [translate(ctx.locale, 'error.invalidCode')] });
    // An expired, spent or unknown challenge (or a lock meanwhile): back to the first step.
    if (isInvalidToken(error) || (error instanceof AuthError && error.code === 'account_locked')) {
      ctx.setCookies.push(clearCookie(COOKIES.mfa));
      return signInPage(ctx, pageErrorsOf(ctx, error) ?? { _form: [translate(ctx.locale, 'invalidLink.body')] }, {});
    }
    const errors = pageErrorsOf(ctx, error);
    if (!errors) throw error;
    return secondStepPage(ctx, errors.code ? errors : { code: errors._form ?? [] });
  }
}

function signUpPage(ctx: Ctx, errors: PageErrors, values: { email?: string }): Result {
  const view = viewOf(ctx);
  const labels = { email: t(view, 'field.email'), password: t(view, 'field.password'), passwordConfirmation: t(view, 'field.passwordConfirmation') };
  const body = [
    summary(view, errors, labels),
    form(
      view,
      'sign-up',
      '/ui/sign-up',
      [
        field(view, { name: 'email', label: labels.email, type: 'email', autocomplete: 'email', value: values.email, errors: errors.email }),
        field(view, { name: 'password', label: labels.password, type: 'password', autocomplete: 'new-password', errors: errors.password }),
        field(view, {
          name: 'passwordConfirmation',
          label: labels.passwordConfirmation,
          type: 'password',
          autocomplete: 'new-password',
          errors: errors.passwordConfirmation,
        }),
      ],
      t(view, 'signUp.submit'),
    ),
    links([{ href: '/ui/sign-in', text: t(view, 'signUp.signIn') }]),
  ];
  return page(ctx, Object.keys(errors).length ? statusOf(errors) : 200, renderPage(view, 'signUp.title', body));
}

async function postSignUp(ctx: Ctx): Promise<Result> {
  return withFormErrors(
    ctx,
    async () => {
      const result = await register(
        ctx.deps,
        {
          email: ctx.form.email,
          password: ctx.form.password,
          passwordConfirmation: ctx.form.passwordConfirmation,
          body: {},
          // The page's language becomes the user's (a shipped one; pseudo-locales are not stored).
          ...(isUserLocale(ctx.locale) ? { locale: ctx.locale } : {}),
        },
        uiRequest(ctx),
      );
      if (result.kind === 'signedIn') return startUiSession(ctx, result.tokens, false, '/ui/account');
      return messagePage(ctx, 'checkMail.title', 'checkMail.registered', 202, true);
    },
    (errors) => signUpPage(ctx, errors, { email: ctx.form.email ?? '' }),
  );
}

function emailOnlyPage(ctx: Ctx, kind: 'forgot' | 'resend', errors: PageErrors, values: { email?: string }): Result {
  const view = viewOf(ctx);
  const labels = { email: t(view, 'field.email') };
  const body = [
    summary(view, errors, labels),
    kind === 'forgot' ? h('p', null, t(view, 'forgot.intro')) : null,
    form(
      view,
      kind,
      kind === 'forgot' ? '/ui/forgot-password' : '/ui/confirm-email/resend',
      [field(view, { name: 'email', label: labels.email, type: 'email', autocomplete: 'email', value: values.email, errors: errors.email })],
      t(view, kind === 'forgot' ? 'forgot.submit' : 'resend.submit'),
    ),
    links([{ href: '/ui/sign-in', text: t(view, 'common.backToSignIn') }]),
  ];
  return page(ctx, Object.keys(errors).length ? statusOf(errors) : 200, renderPage(view, kind === 'forgot' ? 'forgot.title' : 'resend.title', body));
}

/** The same "if an account exists…" page for every address (enumeration safety). */
async function postForgot(ctx: Ctx): Promise<Result> {
  return withFormErrors(
    ctx,
    async () => {
      await requestPasswordReset(ctx.deps, { email: ctx.form.email }, requestInfo(ctx.event));
      return messagePage(ctx, 'checkMail.title', 'checkMail.reset', 202, true);
    },
    (errors) => emailOnlyPage(ctx, 'forgot', errors, { email: ctx.form.email ?? '' }),
  );
}

async function postResend(ctx: Ctx): Promise<Result> {
  return withFormErrors(
    ctx,
    async () => {
      await resendConfirmation(ctx.deps, { email: ctx.form.email });
      return messagePage(ctx, 'checkMail.title', 'checkMail.resent', 202, true);
    },
    (errors) => emailOnlyPage(ctx, 'resend', errors, { email: ctx.form.email ?? '' }),
  );
}

function invalidLinkPage(ctx: Ctx, again: string): Result {
  const view = viewOf(ctx);
  return page(
    ctx,
    404,
    renderPage(view, 'invalidLink.title', [h('p', { key: 'p' }, t(view, 'invalidLink.body')), links([{ href: again, text: t(view, 'invalidLink.again') }])]),
  );
}

function isInvalidToken(error: unknown): boolean {
  return error instanceof AuthError && (error.code === 'invalid_token' || error.code === 'not_found');
}

/** A confirmation link shows one button: mail scanners fetch links, so GET changes nothing. */
async function getConfirm(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  const view = viewOf(ctx);
  return page(
    ctx,
    200,
    renderPage(view, 'confirm.title', [
      h('p', { key: 'p' }, t(view, 'confirm.intro')),
      form(view, 'confirm', `/ui/confirm-email/${params.token}`, null, t(view, 'confirm.submit')),
    ]),
  );
}

async function postConfirm(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  try {
    const user = await confirmEmail(ctx.deps, params.token, requestInfo(ctx.event));
    const view = viewOf(ctx);
    return page(
      ctx,
      200,
      renderPage(view, 'confirmed.title', [
        notice(t(view, 'confirmed.body', { email: user.email })),
        ctx.signedIn ? null : links([{ href: '/ui/sign-in', text: t(view, 'common.backToSignIn') }]),
      ]),
    );
  } catch (error) {
    if (isInvalidToken(error)) return invalidLinkPage(ctx, '/ui/confirm-email/resend');
    throw error;
  }
}

/** The pages that set a password for a mailed token: a reset, an accepted invitation. */
const NEW_PASSWORD_PAGES = {
  reset: { form: 'reset', action: '/ui/reset-password/', title: 'reset.title', intro: 'reset.intro', submit: 'reset.submit', password: 'field.newPassword' },
  invitation: {
    form: 'invitation',
    action: '/ui/invitation/',
    title: 'invitation.title',
    intro: 'invitation.intro',
    submit: 'invitation.submit',
    password: 'field.password',
  },
} as const;

function newPasswordPage(ctx: Ctx, kind: keyof typeof NEW_PASSWORD_PAGES, token: string, email: string, errors: PageErrors): Result {
  const p = NEW_PASSWORD_PAGES[kind];
  const view = viewOf(ctx);
  const labels = { password: t(view, p.password), passwordConfirmation: t(view, 'field.passwordConfirmation') };
  return page(
    ctx,
    Object.keys(errors).length ? statusOf(errors) : 200,
    renderPage(view, p.title, [
      summary(view, errors, labels),
      h('p', null, t(view, p.intro, { email })),
      form(
        view,
        p.form,
        `${p.action}${token}`,
        [
          h('input', { type: 'text', name: 'username', autoComplete: 'username', value: email, hidden: true, readOnly: true }),
          field(view, { name: 'password', label: labels.password, type: 'password', autocomplete: 'new-password', errors: errors.password }),
          field(view, {
            name: 'passwordConfirmation',
            label: labels.passwordConfirmation,
            type: 'password',
            autocomplete: 'new-password',
            errors: errors.passwordConfirmation,
          }),
        ],
        t(view, p.submit),
      ),
      // An invitation can be accepted through a provider too (social-sign-in §4.3 case 2).
      kind === 'invitation' ? providerLinks(ctx, view, { invitation: token }) : null,
    ]),
  );
}

async function getReset(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  try {
    const { email } = await checkResetToken(ctx.deps, params.token);
    return newPasswordPage(ctx, 'reset', params.token as string, email, {});
  } catch (error) {
    if (isInvalidToken(error)) return invalidLinkPage(ctx, '/ui/forgot-password');
    throw error;
  }
}

/** A reset does not sign in: "please sign in" (API.md). */
async function postReset(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  const token = params.token as string;
  try {
    await resetPassword(ctx.deps, token, { password: ctx.form.password, passwordConfirmation: ctx.form.passwordConfirmation }, requestInfo(ctx.event));
    return messagePage(ctx, 'resetDone.title', 'resetDone.body', 200, true);
  } catch (error) {
    if (isInvalidToken(error)) return invalidLinkPage(ctx, '/ui/forgot-password');
    const errors = pageErrorsOf(ctx, error);
    if (!errors) throw error;
    const { email } = await checkResetToken(ctx.deps, token).catch(() => ({ email: '' }));
    return newPasswordPage(ctx, 'reset', token, email, errors);
  }
}

async function getInvitation(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  try {
    const { email } = await showInvitation(ctx.deps, params.token);
    return newPasswordPage(ctx, 'invitation', params.token as string, email, {});
  } catch (error) {
    if (isInvalidToken(error)) return invalidLinkPage(ctx, '/ui/sign-in');
    throw error;
  }
}

async function postInvitation(ctx: Ctx, params: Record<string, string>): Promise<Result> {
  const token = params.token as string;
  try {
    const tokens = await acceptInvitation(
      ctx.deps,
      token,
      { password: ctx.form.password, passwordConfirmation: ctx.form.passwordConfirmation, body: {} },
      uiRequest(ctx),
    );
    return startUiSession(ctx, tokens, false, '/ui/account');
  } catch (error) {
    if (isInvalidToken(error)) return invalidLinkPage(ctx, '/ui/sign-in');
    const errors = pageErrorsOf(ctx, error);
    if (!errors) throw error;
    const { email } = await showInvitation(ctx.deps, token).catch(() => ({ email: '' }));
    return newPasswordPage(ctx, 'invitation', token, email, errors);
  }
}

/** Pages before sign-in: GET shows, POST submits. */
export const guestPages = {
  'GET /ui/sign-in': async (ctx) => signInPage(ctx, {}, {}),
  'POST /ui/sign-in': postSignIn,
  'GET /ui/sign-in/mfa': async (ctx) => secondStepPage(ctx, {}),
  'POST /ui/sign-in/mfa': postSecondStep,
  'GET /ui/sign-up': async (ctx) => signUpPage(ctx, {}, {}),
  'POST /ui/sign-up': postSignUp,
  'GET /ui/forgot-password': async (ctx) => emailOnlyPage(ctx, 'forgot', {}, {}),
  'POST /ui/forgot-password': postForgot,
  'GET /ui/confirm-email/resend': async (ctx) => emailOnlyPage(ctx, 'resend', {}, {}),
  'POST /ui/confirm-email/resend': postResend,
  'GET /ui/confirm-email/{token}': getConfirm,
  'POST /ui/confirm-email/{token}': postConfirm,
  'GET /ui/reset-password/{token}': getReset,
  'POST /ui/reset-password/{token}': postReset,
  'GET /ui/invitation/{token}': getInvitation,
  'POST /ui/invitation/{token}': postInvitation,
} satisfies PageHandlers;
