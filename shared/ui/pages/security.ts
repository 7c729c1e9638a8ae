/**
 * The account security page (docs/specs/hosted-ui.md §5.2): sessions, two-factor status, TOTP
 * enrolment and removal, recovery codes (shown once, in the answer to the POST that made them),
 * passkeys, linked providers and the password. One POST path per action under
 * `/ui/account/security/`; the flows' rules and codes unchanged. An (R) action without fresh
 * authentication goes to the step-up page and comes back here.
 */
import QRCode from 'qrcode';
import { AuthError } from '../../domain/errors.js';
import { otpauthUri } from '../../domain/totp.js';
import { signOut } from '../../flows/current-session.js';
import { regenerateRecoveryCodes } from '../../flows/mfa-recovery-codes.js';
import { confirmTotp, disableTotp, mfaStatusOf, startTotpEnrollment } from '../../flows/mfa-totp.js';
import { listMySessions, revokeMySession, revokeMySessions } from '../../flows/my-sessions.js';
import { myIdentities, unlinkMine } from '../../flows/oauth.js';
import { listMyPasskeys, removePasskey, renamePasskey } from '../../flows/passkey-manage.js';
import { removePassword } from '../../flows/passkey-password.js';
import { requestPasswordReset } from '../../flows/password-reset.js';
import { requestInfo } from '../../http/request.js';
import { type MessageId, translate } from '../i18n.js';
import { type Ctx, type PageHandlers, page, pageErrorsOf, type Result, redirect, signedIn, summary, viewOf } from '../kit.js';
import { codeField, copyButton, type El, field, form, h, notice, type PageErrors, passkeyButton, renderPage, t, type View, when } from '../render.js';
import { COOKIES, clearCookie } from '../security.js';
import { needsStepUp, providerName, reauthenticateUrl } from './reauthenticate.js';

const SECURITY = '/ui/account/security';

/**
 * With `AUTH_MFA=required`, a session of a user without a second factor is sent to the
 * enrolment page (this one) from every other signed-in page.
 */
export function enrolmentRedirect(ctx: Ctx): Result | undefined {
  const user = ctx.signedIn?.user;
  if (!user || ctx.deps.config.mfa !== 'required' || user.mfaEnabled) return undefined;
  return redirect(ctx, SECURITY);
}

/** A flow's refusal as page errors, with the codes of the security actions; undefined for anything unexpected. */
function securityErrorsOf(ctx: Ctx, error: unknown): PageErrors | undefined {
  const text: Partial<Record<string, MessageId>> = {
    last_sign_in_method: 'security.error.lastMethod',
    mfa_enrollment_required: 'security.error.mfaRequired',
    already_enabled: 'security.error.alreadyEnabled',
    mfa_not_enabled: 'security.error.mfaNotEnabled',
    not_found: 'security.error.gone',
    invalid_token: 'security.error.enrolmentExpired',
    invalid_code: 'error.invalidCode',
  };
  if (error instanceof AuthError && text[error.code]) return { _form: [translate(ctx.locale, text[error.code] as MessageId)] };
  return pageErrorsOf(ctx, error);
}

/** Runs an action; a want of fresh authentication goes to the step-up page, a refusal shows in place. */
async function act(ctx: Ctx, action: () => Promise<Result>, onErrors: (errors: PageErrors) => Promise<Result>): Promise<Result> {
  try {
    return await action();
  } catch (error) {
    if (needsStepUp(error)) return redirect(ctx, reauthenticateUrl(SECURITY));
    const errors = securityErrorsOf(ctx, error);
    if (!errors) throw error;
    return onErrors(errors);
  }
}

interface SecurityState {
  /** Errors of one section's form, shown in place and in the summary. */
  errors?: PageErrors;
  /** A status message (`role="status"`). */
  done?: MessageId;
}

const form1 = (view: View, formId: string, action: string, hidden: Record<string, string>, submit: string, kind?: 'danger' | 'secondary'): El =>
  h(
    'form',
    { method: 'post', action, class: 'inline' },
    h('input', { type: 'hidden', name: '_csrf', value: view.csrf(formId) }),
    Object.entries(hidden).map(([name, value]) => h('input', { key: name, type: 'hidden', name, value })),
    h('button', { type: 'submit', class: kind }, submit),
  );

async function securityPage(ctx: Ctx, state: SecurityState = {}): Promise<Result> {
  const { user, principal } = signedIn(ctx);
  const view = viewOf(ctx);
  const mfaOn = ctx.deps.config.mfa !== 'off';
  const mfa = mfaStatusOf(user);
  const [{ sessions }, { passkeys }, { identities }] = await Promise.all([
    listMySessions(ctx.deps, principal, { limit: 100 }),
    mfaOn ? listMyPasskeys(ctx.deps, principal) : Promise.resolve({ passkeys: [] }),
    myIdentities(ctx.deps, principal),
  ]);
  const errors = state.errors ?? {};
  const labels: Record<string, string> = { password: t(view, 'field.newPassword'), passwordConfirmation: t(view, 'field.passwordConfirmation') };
  passkeys.forEach((p, i) => {
    labels[`passkey-name-${i}`] = t(view, 'security.passkeyName', { name: p.name });
  });
  const mustEnrol = ctx.deps.config.mfa === 'required' && !user.mfaEnabled;
  const hasPassword = user.passwordHash !== null;
  const linkable = ctx.deps.config.oauthProviders.filter((p) => !identities.some((i) => i.provider === p.id));

  const sessionsSection = [
    h('h2', { id: 'sessions' }, t(view, 'sessions.title')),
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
            h('dd', null, when(view, s.createdAt)),
            h('dt', null, t(view, 'sessions.lastUsed')),
            h('dd', null, when(view, s.lastUsedAt)),
          ),
          s.current ? null : form1(view, 'security-session-revoke', `${SECURITY}/sessions/revoke`, { id: s.id }, t(view, 'sessions.revoke'), 'secondary'),
        ),
      ),
    ),
    form1(view, 'security-sessions-revoke-all', `${SECURITY}/sessions/revoke-all`, {}, t(view, 'sessions.revokeAll'), 'danger'),
  ];

  const twoFactorSection = mfaOn
    ? [
        h('h2', { id: 'two-factor' }, t(view, 'security.twoFactorTitle')),
        h('p', null, t(view, mfa.enabled ? 'security.twoFactorOn' : 'security.twoFactorOff')),
        h('h3', null, t(view, 'security.totpTitle')),
        mfa.totp
          ? [
              h('p', null, t(view, 'security.totpOn', { date: when(view, mfa.totp.enabledAt) })),
              form1(view, 'security-totp-disable', `${SECURITY}/totp/disable`, {}, t(view, 'security.totpDisable'), 'danger'),
            ]
          : [h('p', null, t(view, 'security.totpOff')), h('p', null, h('a', { href: `${SECURITY}/totp` }, t(view, 'security.totpSetUp')))],
        mfa.recoveryCodes
          ? [
              h('h3', null, t(view, 'security.codesTitle')),
              h('p', null, t(view, 'security.codesLeft', { count: mfa.recoveryCodes.remaining })),
              form1(view, 'security-recovery-codes', `${SECURITY}/recovery-codes`, {}, t(view, 'security.codesRegenerate'), 'secondary'),
            ]
          : null,
        h('h3', { id: 'passkeys' }, t(view, 'security.passkeysTitle')),
        passkeys.length === 0
          ? h('p', null, t(view, 'security.noPasskeys'))
          : h(
              'ul',
              { class: 'sessions' },
              passkeys.map((p, i) =>
                h(
                  'li',
                  { key: p.id },
                  h('p', { class: 'item-name' }, p.name),
                  h(
                    'dl',
                    null,
                    h('dt', null, t(view, 'security.created')),
                    h('dd', null, when(view, p.createdAt)),
                    h('dt', null, t(view, 'sessions.lastUsed')),
                    h('dd', null, p.lastUsedAt ? when(view, p.lastUsedAt) : t(view, 'security.never')),
                  ),
                  p.disabled ? h('p', { class: 'field-error' }, t(view, 'security.passkeyDisabled')) : null,
                  h(
                    'form',
                    { method: 'post', action: `${SECURITY}/passkeys/rename`, class: 'stack', noValidate: true },
                    h('input', { type: 'hidden', name: '_csrf', value: view.csrf('security-passkey-rename') }),
                    h('input', { type: 'hidden', name: 'id', value: p.id }),
                    h('input', { type: 'hidden', name: 'index', value: String(i) }),
                    field(view, {
                      name: `passkey-name-${i}`,
                      label: labels[`passkey-name-${i}`] ?? '',
                      type: 'text',
                      autocomplete: 'off',
                      value: p.name,
                      errors: errors[`passkey-name-${i}`],
                    }),
                    h('button', { type: 'submit', class: 'secondary' }, t(view, 'security.passkeyRename')),
                  ),
                  form1(view, 'security-passkey-remove', `${SECURITY}/passkeys/remove`, { id: p.id }, t(view, 'security.passkeyRemove'), 'danger'),
                ),
              ),
            ),
        h(
          'div',
          { class: 'stack', hidden: true, 'data-js-only': '' },
          field(view, { name: 'new-passkey-name', label: t(view, 'security.newPasskeyName'), type: 'text', autocomplete: 'off' }),
          passkeyButton(view, 'add', t(view, 'security.passkeyAdd'), { nameField: 'new-passkey-name' }),
        ),
        h('p', { class: 'muted', 'data-no-js': '' }, t(view, 'security.passkeyNeedsScript')),
      ]
    : null;

  const providersSection =
    identities.length > 0 || linkable.length > 0
      ? [
          h('h2', { id: 'providers' }, t(view, 'security.providersTitle')),
          identities.length === 0
            ? h('p', null, t(view, 'security.noProviders'))
            : h(
                'ul',
                { class: 'sessions' },
                identities.map((identity) =>
                  h(
                    'li',
                    { key: identity.provider },
                    h('p', { class: 'item-name' }, providerName(ctx, identity.provider)),
                    identity.email ? h('p', { class: 'muted' }, identity.email) : null,
                    form1(
                      view,
                      'security-provider-unlink',
                      `${SECURITY}/providers/unlink`,
                      { provider: identity.provider },
                      t(view, 'security.providerUnlink', { provider: providerName(ctx, identity.provider) }),
                      'danger',
                    ),
                  ),
                ),
              ),
          linkable.length > 0
            ? h(
                'ul',
                { class: 'links' },
                linkable.map((p) =>
                  h(
                    'li',
                    { key: p.id },
                    h('a', { href: `/ui/oauth/${encodeURIComponent(p.id)}/start?intent=link` }, t(view, 'security.providerLink', { provider: p.name })),
                  ),
                ),
              )
            : null,
        ]
      : null;

  const passwordSection = [
    h('h2', { id: 'password' }, t(view, 'security.passwordTitle')),
    hasPassword
      ? [
          h('p', null, t(view, 'security.passwordSet')),
          h('p', null, h('a', { href: '/ui/account' }, t(view, 'security.passwordChange'))),
          passkeys.some((p) => p.discoverable) || identities.length > 0
            ? form1(view, 'security-password-remove', `${SECURITY}/password/remove`, {}, t(view, 'security.passwordRemove'), 'danger')
            : null,
        ]
      : [
          h('p', null, t(view, 'security.noPassword')),
          form1(view, 'security-password-set', `${SECURITY}/password`, {}, t(view, 'security.passwordSetLink'), 'secondary'),
        ],
  ];

  const body = [
    summary(view, errors, labels),
    state.done ? notice(t(view, state.done)) : null,
    mustEnrol ? h('div', { class: 'notice', role: 'status' }, h('p', null, t(view, 'security.mustEnrol'))) : null,
    h(
      'nav',
      { 'aria-label': t(view, 'security.sections') },
      h(
        'ul',
        { class: 'links' },
        mfaOn ? h('li', null, h('a', { href: '#two-factor' }, t(view, 'security.twoFactorTitle'))) : null,
        h('li', null, h('a', { href: '#password' }, t(view, 'security.passwordTitle'))),
        providersSection ? h('li', null, h('a', { href: '#providers' }, t(view, 'security.providersTitle'))) : null,
        h('li', null, h('a', { href: '#sessions' }, t(view, 'layout.sessions'))),
        h('li', null, h('a', { href: '/ui/account/activity' }, t(view, 'security.activityLink'))),
      ),
    ),
    twoFactorSection,
    passwordSection,
    providersSection,
    sessionsSection,
  ];
  const status = Object.keys(errors).length === 0 ? 200 : Object.keys(errors).some((k) => k !== '_form') ? 422 : 409;
  return page(ctx, status, renderPage(view, 'security.title', body));
}

// ---------------------------------------------------------------------------------------------
// Sessions

async function postRevokeSession(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  const id = ctx.form.id ?? '';
  if (id === principal.sessionId) return signOutHere(ctx);
  try {
    await revokeMySession(ctx.deps, principal, id, requestInfo(ctx.event));
  } catch (error) {
    // Another device's session that is already gone: the list shows what is left.
    if (!(error instanceof AuthError && (error.code === 'not_found' || error.code === 'validation_failed'))) throw error;
  }
  return securityPage(ctx, { done: 'sessions.revoked' });
}

async function postRevokeAll(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  await revokeMySessions(ctx.deps, principal, requestInfo(ctx.event));
  ctx.signedIn = undefined;
  ctx.setCookies.push(clearCookie(COOKIES.session));
  return redirect(ctx, '/ui/signed-out');
}

async function signOutHere(ctx: Ctx): Promise<Result> {
  if (ctx.signedIn) await signOut(ctx.deps, ctx.signedIn.principal, requestInfo(ctx.event));
  ctx.signedIn = undefined;
  ctx.setCookies.push(clearCookie(COOKIES.session));
  return redirect(ctx, '/ui/signed-out');
}

// ---------------------------------------------------------------------------------------------
// TOTP and recovery codes

/** The base32 secret of a pending enrolment, as the confirm form sends it back for the page (display only). */
const SECRET = /^[A-Z2-7]{16,128}$/;

async function totpStartPage(ctx: Ctx, errors: PageErrors = {}): Promise<Result> {
  const { user } = signedIn(ctx);
  if (user.totp) return redirect(ctx, SECURITY);
  const view = viewOf(ctx);
  const body = [
    summary(view, errors, {}),
    h('p', null, t(view, 'totp.intro')),
    form(view, 'security-totp-start', `${SECURITY}/totp`, null, t(view, 'totp.start')),
    h('p', null, h('a', { href: SECURITY }, t(view, 'security.back'))),
  ];
  return page(ctx, Object.keys(errors).length ? 409 : 200, renderPage(view, 'totp.title', body));
}

async function totpEnrolPage(ctx: Ctx, secret: string, errors: PageErrors = {}): Promise<Result> {
  const { user } = signedIn(ctx);
  const view = viewOf(ctx);
  const uri = otpauthUri(ctx.deps.config.totpIssuer, user.email, secret);
  const svg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } });
  const labels = { code: t(view, 'field.code') };
  const body = [
    summary(view, errors, labels),
    h('ol', { class: 'steps' }, h('li', null, t(view, 'totp.step1')), h('li', null, t(view, 'totp.step2')), h('li', null, t(view, 'totp.step3'))),
    h('img', { class: 'qr', src: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`, alt: t(view, 'totp.qrAlt'), width: 220, height: 220 }),
    h('p', { id: 'totp-secret-label' }, t(view, 'totp.manual')),
    h('p', { class: 'secret' }, h('code', { id: 'totp-secret', 'aria-labelledby': 'totp-secret-label' }, secret), ' ', copyButton(view, 'totp-secret')),
    h(
      'form',
      { method: 'post', action: `${SECURITY}/totp/confirm`, class: 'stack', noValidate: true },
      h('input', { type: 'hidden', name: '_csrf', value: view.csrf('security-totp-confirm') }),
      h('input', { type: 'hidden', name: 'secret', value: secret }),
      codeField(view, labels.code, errors.code),
      h('button', { type: 'submit' }, t(view, 'totp.confirm')),
    ),
    h('p', { class: 'muted' }, t(view, 'totp.timeLimit', { minutes: Math.max(1, Math.round(ctx.deps.config.totpEnrollmentTtlSeconds / 60)) })),
  ];
  return page(ctx, Object.keys(errors).length ? 422 : 200, renderPage(view, 'totp.enrolTitle', body));
}

async function postTotpStart(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  return act(
    ctx,
    async () => {
      const { totp } = await startTotpEnrollment(ctx.deps, principal, {}, requestInfo(ctx.event));
      return totpEnrolPage(ctx, totp.secret);
    },
    (errors) => securityPage(ctx, { errors }),
  );
}

async function postTotpConfirm(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  const secret = SECRET.test(ctx.form.secret ?? '') ? (ctx.form.secret as string) : undefined;
  try {
    const confirmed = await confirmTotp(ctx.deps, principal, { code: ctx.form.code ?? '' }, requestInfo(ctx.event));
    ctx.signedIn = { ...signedIn(ctx), user: { ...signedIn(ctx).user, mfaEnabled: true } };
    if (confirmed.recoveryCodes) return recoveryCodesPage(ctx, confirmed.recoveryCodes, 'codes.afterTotp');
    return securityPage(ctx, { done: 'security.totpEnabled' });
  } catch (error) {
    const errors = securityErrorsOf(ctx, error);
    if (!errors) throw error;
    // A wrong code keeps the enrolment: the same page again, the error by the field.
    if (errors.code && secret) return totpEnrolPage(ctx, secret, errors);
    return securityPage(ctx, { errors });
  }
}

async function postTotpDisable(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  return act(
    ctx,
    async () => {
      await disableTotp(ctx.deps, principal, {}, requestInfo(ctx.event));
      return redirectDone(ctx, 'totp-disabled');
    },
    (errors) => securityPage(ctx, { errors }),
  );
}

/**
 * The recovery codes, in the answer to the POST that created them and never again (no redirect,
 * `no-store` as every page): a list to copy or print (the print stylesheet leaves only the codes).
 */
function recoveryCodesPage(ctx: Ctx, codes: string[], intro: MessageId): Result {
  const view = viewOf(ctx);
  const body = [
    notice(t(view, intro)),
    h('p', null, t(view, 'codes.keep')),
    h(
      'ol',
      { class: 'codes', id: 'recovery-codes' },
      codes.map((code) => h('li', { key: code }, h('code', null, code))),
    ),
    h(
      'p',
      { class: 'actions' },
      copyButton(view, 'recovery-codes'),
      ' ',
      h('button', { type: 'button', class: 'secondary', hidden: true, 'data-print': '' }, t(view, 'codes.print')),
    ),
    h('p', { class: 'muted' }, t(view, 'codes.once')),
    h('p', null, h('a', { href: SECURITY }, t(view, 'codes.done'))),
  ];
  return page(ctx, 200, renderPage(view, 'codes.title', body));
}

async function postRecoveryCodes(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  return act(
    ctx,
    async () => {
      const { recoveryCodes } = await regenerateRecoveryCodes(ctx.deps, principal, {}, requestInfo(ctx.event));
      return recoveryCodesPage(ctx, recoveryCodes, 'codes.regenerated');
    },
    (errors) => securityPage(ctx, { errors }),
  );
}

// ---------------------------------------------------------------------------------------------
// Passkeys, providers, password

async function postPasskeyRename(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  const index = /^\d{1,3}$/.test(ctx.form.index ?? '') ? (ctx.form.index as string) : '0';
  try {
    await renamePasskey(ctx.deps, principal, ctx.form.id, { name: ctx.form[`passkey-name-${index}`] ?? '' }, requestInfo(ctx.event));
    return securityPage(ctx, { done: 'security.passkeyRenamed' });
  } catch (error) {
    const errors = securityErrorsOf(ctx, error);
    if (!errors) throw error;
    const { name, ...rest } = errors;
    return securityPage(ctx, { errors: name ? { ...rest, [`passkey-name-${index}`]: name } : rest });
  }
}

async function postPasskeyRemove(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  return act(
    ctx,
    async () => {
      await removePasskey(ctx.deps, principal, ctx.form.id, {}, requestInfo(ctx.event));
      return redirectDone(ctx, 'passkey-removed');
    },
    (errors) => securityPage(ctx, { errors }),
  );
}

async function postProviderUnlink(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  return act(
    ctx,
    async () => {
      await unlinkMine(ctx.deps, principal, ctx.form.provider, {}, requestInfo(ctx.event));
      return redirectDone(ctx, 'provider-unlinked');
    },
    (errors) => securityPage(ctx, { errors }),
  );
}

async function postPasswordRemove(ctx: Ctx): Promise<Result> {
  const { principal } = signedIn(ctx);
  return act(
    ctx,
    async () => {
      await removePassword(ctx.deps, principal, {}, requestInfo(ctx.event));
      return redirectDone(ctx, 'password-removed');
    },
    (errors) => securityPage(ctx, { errors }),
  );
}

/**
 * A first password for a user without one: the reset mail (a reset adds the password back,
 * `mfa-and-passkeys.md` §7.4), so the address is proven as for any reset.
 */
async function postPasswordSet(ctx: Ctx): Promise<Result> {
  const { user } = signedIn(ctx);
  await requestPasswordReset(ctx.deps, { email: user.email }, requestInfo(ctx.event));
  return securityPage(ctx, { done: 'security.passwordMailSent' });
}

/** After a change that revoked other sessions: back to the page with its status message (POST-redirect-GET). */
const DONE: Record<string, MessageId> = {
  'totp-disabled': 'security.totpDisabled',
  'passkey-removed': 'security.passkeyRemoved',
  'provider-unlinked': 'security.providerUnlinked',
  'password-removed': 'security.passwordRemoved',
};

function redirectDone(ctx: Ctx, done: keyof typeof DONE): Result {
  return redirect(ctx, `${SECURITY}?done=${done}`);
}

/** Signed-in security pages: GET shows, POST submits (one path per action). */
export const securityPages = {
  'GET /ui/account/security': async (ctx) => securityPage(ctx, { ...(DONE[ctx.query.done ?? ''] ? { done: DONE[ctx.query.done ?? ''] } : {}) }),
  'GET /ui/account/sessions': async (ctx) => redirect(ctx, `${SECURITY}#sessions`),
  'POST /ui/account/security/sessions/revoke': postRevokeSession,
  'POST /ui/account/security/sessions/revoke-all': postRevokeAll,
  'GET /ui/account/security/totp': async (ctx) => totpStartPage(ctx),
  'POST /ui/account/security/totp': postTotpStart,
  'POST /ui/account/security/totp/confirm': postTotpConfirm,
  'POST /ui/account/security/totp/disable': postTotpDisable,
  'POST /ui/account/security/recovery-codes': postRecoveryCodes,
  'POST /ui/account/security/passkeys/rename': postPasskeyRename,
  'POST /ui/account/security/passkeys/remove': postPasskeyRemove,
  'POST /ui/account/security/providers/unlink': postProviderUnlink,
  'POST /ui/account/security/password/remove': postPasswordRemove,
  'POST /ui/account/security/password': postPasswordSet,
} satisfies PageHandlers;
