import { canonicalEmailOf } from '../domain/email.js';
import { AuthError, isConflict, ServiceUnavailableError, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import {
  hasIdTokens,
  type Identity,
  type OAuthIntent,
  type OAuthPending,
  type OAuthProviderConfig,
  type OAuthState,
  type ProviderProfile,
} from '../domain/oauth.js';
import { hashSecret, randomSecret, safeEqual } from '../domain/secrets.js';
import { parseMailToken } from '../domain/tokens.js';
import { amrWithSecondFactor } from '../domain/totp.js';
import { type PublicUser, toPublicUser, type User } from '../domain/types.js';
import { runAfterHook, runBeforeHook } from '../hooks/run.js';
import type { OAuthProviders } from '../ports/oauth-providers.js';
import type { CodeSpend, WriteOp } from '../ports/store.js';
import { checkHookAttributes } from './attributes.js';
import { adminActor, auditOp, recordAudit } from './audit.js';
import { type Deps, nowIso, nowSeconds, type Principal, type RequestInfo } from './deps.js';
import {
  loadCaller,
  recordMfaFailure,
  recoveryCodeUsedOps,
  refuseDuringMfaLockout,
  requireStepUp,
  type StepUp,
  type StepUpInput,
  verifyCode,
} from './reauthenticate.js';
import { newUser } from './registration.js';
import { completeFirstFactor, hookMethodOf, needsSecondFactor } from './second-factor.js';
import { commitWithMail, enqueueOp, prepareConfirmationMail, prepareTemplateMail, resendConfirmationMail } from './send-mail.js';
import { prepareSession, type TokenPair } from './token-pair.js';

/**
 * Social sign-in (`docs/specs/social-sign-in.md`): the redirect flow (§4), native ID tokens
 * (§5) and identities (§6). The provider side (code exchange, ID-token validation) is the
 * `OAuthProviders` port; everything stored is decided here, with conditional writes (§8).
 *
 * Every provider-resolved sign-in of a known identity goes through {@link signInWithIdentity}:
 * the one place where the MFA decision (`mfa_required`) belongs.
 */

/** What a flow answers. */
export type OAuthOutcome =
  | { kind: 'signedIn'; status: 200 | 201; tokens: TokenPair }
  /** `202` with registration's body. */
  | { kind: 'pending' }
  | { kind: 'linked'; status: 200 | 201; identity: PublicIdentity }
  | { kind: 'reauthenticated'; reauthenticatedUntil: string; aal: 'aal1' | 'aal2' };

/** An identity as `GET /me/identities` shows it (admins also see `sub`). */
export interface PublicIdentity {
  provider: string;
  name: string | null;
  email: string | null;
  emailVerified: boolean;
  createdAt: string;
  lastUsedAt: string;
  sub?: string;
}

function publicIdentity(identity: Identity, withSub = false): PublicIdentity {
  return {
    provider: identity.provider,
    name: identity.name,
    email: identity.email,
    emailVerified: identity.emailVerified,
    createdAt: identity.createdAt,
    lastUsedAt: identity.lastUsedAt,
    ...(withSub ? { sub: identity.sub } : {}),
  };
}

/** The relying party, or 404 when no provider is configured. */
function providersOf(deps: Deps): OAuthProviders {
  if (!deps.oauth) throw new AuthError('not_found');
  return deps.oauth;
}

/** A configured provider by id; `404 not_found` otherwise. */
function providerOf(deps: Deps, id: string | undefined): OAuthProviderConfig {
  const provider = deps.oauth?.list().find((p) => p.id === id);
  if (!provider) throw new AuthError('not_found');
  return provider;
}

/** A non-empty string member, else undefined. */
function present(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The writes that spend a step-up's code (TOTP step or recovery code, with its notice and event):
 * they go into the same commit as the route's change (mfa-and-passkeys §4), so a refused change
 * spends nothing.
 */
interface StepUpWrites {
  /** The code to spend, in the write that changes the user's profile item (one write per item and transaction). */
  spend: CodeSpend | undefined;
  /** A recovery code's notice and event. */
  extra: WriteOp[];
}

async function stepUpWrites(deps: Deps, stepUp: StepUp, request: RequestInfo): Promise<StepUpWrites> {
  if (!stepUp.proof) return { spend: undefined, extra: [] };
  return { spend: stepUp.proof.spend, extra: await recoveryCodeUsedOps(deps, stepUp.user, stepUp.proof, request, stepUp.session.id) };
}

const NO_STEP_UP: StepUpWrites = { spend: undefined, extra: [] };

/** A step-up's writes on their own (for a commit that does not touch the profile item otherwise). */
function stepUpOps(userId: string, writes: StepUpWrites): WriteOp[] {
  return [...(writes.spend ? [{ type: 'updateUser' as const, id: userId, spend: writes.spend }] : []), ...writes.extra];
}

/** A step-up code spent meanwhile by a concurrent request: the (R) routes' answer for a wrong code. */
function codeSpent(): ValidationError {
  return new ValidationError({ code: [messages.field.invalid] });
}

/** A provider's display name (its id when this function has no providers configured). */
function providerName(deps: Deps, id: string): string {
  return deps.oauth?.list().find((p) => p.id === id)?.name ?? id;
}

/** `GET /oauth/providers`. */
export function listProviders(deps: Deps): { providers: Array<{ id: string; name: string }> } {
  return { providers: (deps.oauth?.list() ?? []).map((p) => ({ id: p.id, name: p.name })) };
}

// ---------------------------------------------------------------------------------------------
// Invitations presented at authorize (or with a native ID token)

/** An invitation reference stored with a flow: the invitee's id and the stored hash of the token. */
interface InvitationRef {
  userId: string;
  hash: string;
}

function invitationRefOf(stored: string | null): InvitationRef | null {
  if (!stored) return null;
  const dot = stored.indexOf('.');
  return dot < 0 ? null : { userId: stored.slice(0, dot), hash: stored.slice(dot + 1) };
}

/** Checks an invitation token now (`404 invalid_token`), for storing with the flow. */
async function checkInvitation(deps: Deps, raw: unknown): Promise<string | null> {
  if (raw === undefined || raw === null || raw === '') return null;
  const parsed = parseMailToken(raw);
  if (!parsed) throw new AuthError('invalid_token');
  const [token, user] = await Promise.all([deps.store.getToken(parsed.userId, 'invitation'), deps.store.getUser(parsed.userId)]);
  const hash = hashSecret(parsed.secret);
  if (!token || !user || !safeEqual(token.hash, hash) || token.expiresAt <= nowSeconds(deps) || !user.invitationPending || user.passwordHash !== null) {
    throw new AuthError('invalid_token');
  }
  return `${parsed.userId}.${hash}`;
}

// ---------------------------------------------------------------------------------------------
// §4.1 authorize

export interface AuthorizeInput extends StepUpInput {
  redirectUri?: string | undefined;
  intent?: string | undefined;
  rememberMe?: boolean | undefined;
  invitationToken?: string | undefined;
}

const INTENTS: readonly OAuthIntent[] = ['sign_in', 'link', 'reauthenticate'];

/**
 * `POST /oauth/{provider}/authorize`: stores the flow's state (PKCE verifier, nonce, redirect URI,
 * intent, the hash of the `flowSecret`) and answers the provider's authorization URL and the
 * `flowSecret` the app must present at the callback.
 */
export async function startAuthorization(
  deps: Deps,
  providerId: string | undefined,
  input: AuthorizeInput,
  principal: Principal | undefined,
  request: RequestInfo = { ip: '', userAgent: '' },
): Promise<{ authorizationUrl: string; flowSecret: string; expiresIn: number }> {
  const providers = providersOf(deps);
  const provider = providerOf(deps, providerId);
  const intent = (input.intent ?? 'sign_in') as OAuthIntent;
  const errors: Record<string, string[]> = {};
  if (!INTENTS.includes(intent)) errors.intent = [messages.field.invalid];
  if (input.redirectUri === undefined || input.redirectUri === '') errors.redirectUri = [messages.field.blank];
  // Exact match, character for character (ASVS 10.4.1): no normalisation of case, slash or query.
  else if (!provider.redirectUris.includes(input.redirectUri)) errors.redirectUri = ['is not allowed'];
  if (INTENTS.includes(intent) && intent !== 'sign_in' && !principal) throw new AuthError('unauthorized');
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  const invitation = intent === 'sign_in' ? await checkInvitation(deps, input.invitationToken) : null;
  // Linking is an (R) route: step-up now, so the callback needs only the Bearer of this session.
  // A code it spends is spent with the state's write.
  const spend =
    intent === 'link' && principal ? stepUpOps(principal.userId, await stepUpWrites(deps, await requireStepUp(deps, principal, input, 'oauth'), request)) : [];
  if (intent === 'reauthenticate' && principal) await loadCaller(deps, principal);

  const state = randomSecret();
  const flowSecret = randomSecret();
  const codeVerifier = randomSecret();
  const nonce = hasIdTokens(provider) ? randomSecret() : null;
  const expiresIn = deps.config.oauthStateTtlSeconds;
  const item: OAuthState = {
    kind: 'state',
    hash: hashSecret(state),
    provider: provider.id,
    codeVerifier,
    nonce,
    redirectUri: input.redirectUri as string,
    intent,
    flowSecretHash: hashSecret(flowSecret),
    userId: principal && intent !== 'sign_in' ? principal.userId : null,
    sessionId: principal && intent !== 'sign_in' ? principal.sessionId : null,
    invitationHash: invitation,
    rememberMe: input.rememberMe === true,
    expiresAt: nowSeconds(deps) + expiresIn,
  };
  const authorizationUrl = await providers.authorizationUrl(provider, {
    redirectUri: item.redirectUri,
    state,
    // PKCE S256 (RFC 7636): BASE64URL(SHA256(verifier)), the same digest as hashSecret.
    codeChallenge: hashSecret(codeVerifier),
    nonce,
    reauthenticate: intent === 'reauthenticate',
  });
  try {
    await deps.store.commit([{ type: 'putOAuthItem', item }, ...spend]);
  } catch (error) {
    if (isConflict(error, 'code_spent')) throw codeSpent();
    throw error;
  }
  deps.log.info('oauth flow started', { flow: 'oauth', provider: provider.id, intent });
  return { authorizationUrl, flowSecret, expiresIn };
}

// ---------------------------------------------------------------------------------------------
// §4.2 callback

export interface CallbackInput {
  callbackUrl?: string | undefined;
  flowSecret?: string | undefined;
  callbackParams?: Record<string, unknown> | undefined;
  code?: string | undefined;
}

/** The `state` of a callback: from the URL's query (or a `form_post` answer's fields). */
function stateOf(callbackUrl: string, params: Record<string, string> | undefined): string | undefined {
  let url: URL;
  try {
    url = new URL(callbackUrl);
  } catch {
    return undefined;
  }
  return present(params?.state) ?? present(url.searchParams.get('state') ?? undefined);
}

function stringParams(raw: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) if (typeof value === 'string') out[key] = value;
  return out;
}

/**
 * `POST /oauth/{provider}/callback`. The state is spent first (a conditional delete on its
 * provider, expiry and `flowSecret`), before the provider is called, so every answer after
 * that spends it; then the redirect URI, the provider's answer and the intent's outcome.
 */
export async function finishAuthorization(
  deps: Deps,
  providerId: string | undefined,
  input: CallbackInput,
  principal: Principal | undefined,
  request: RequestInfo,
): Promise<OAuthOutcome> {
  const providers = providersOf(deps);
  const provider = providerOf(deps, providerId);
  const callbackUrl = present(input.callbackUrl);
  const flowSecret = present(input.flowSecret);
  const params = stringParams(input.callbackParams);
  const state = callbackUrl ? stateOf(callbackUrl, params) : undefined;
  if (!callbackUrl || !flowSecret || !state) throw new AuthError('invalid_token');
  const stored = await deps.store.getOAuthItem('state', hashSecret(state));
  if (stored?.kind !== 'state') throw new AuthError('invalid_token');
  try {
    await deps.store.commit([
      { type: 'consumeOAuthItem', kind: 'state', hash: stored.hash, provider: provider.id, flowSecretHash: hashSecret(flowSecret), now: nowSeconds(deps) },
    ]);
  } catch (error) {
    if (isConflict(error, 'token_mismatch')) throw new AuthError('invalid_token');
    throw error;
  }
  // Linking and step-up belong to the session that started them.
  if (stored.intent !== 'sign_in' && (!principal || principal.userId !== stored.userId || principal.sessionId !== stored.sessionId)) {
    throw new AuthError('invalid_token');
  }
  const url = new URL(callbackUrl);
  // The redirect it came to must be the flow's, exactly.
  if (withoutQuery(callbackUrl) !== stored.redirectUri) throw new AuthError('oauth_failed');
  if (url.searchParams.has('error') || params?.error !== undefined) throw new AuthError('oauth_failed');
  const profile = await providers.finish(provider, {
    callbackUrl,
    callbackParams: params,
    redirectUri: stored.redirectUri,
    codeVerifier: stored.codeVerifier,
    state,
    nonce: stored.nonce,
    reauthenticate: stored.intent === 'reauthenticate',
  });
  return resolveIdentity(deps, provider, profile, {
    intent: stored.intent,
    rememberMe: stored.rememberMe,
    invitation: invitationRefOf(stored.invitationHash),
    principal,
    flowSecretHash: stored.flowSecretHash,
    code: input.code,
    request,
  });
}

/** The URI without its query and fragment, as written (no normalisation). */
function withoutQuery(uri: string): string {
  const cut = uri.search(/[?#]/);
  return cut < 0 ? uri : uri.slice(0, cut);
}

// ---------------------------------------------------------------------------------------------
// §4.3 outcomes

interface ResolveContext {
  intent: OAuthIntent;
  rememberMe: boolean;
  invitation: InvitationRef | null;
  principal: Principal | undefined;
  /** What binds a pending identity to this flow (the `flowSecret`'s hash, or the native nonce's). */
  flowSecretHash: string;
  code?: string | undefined;
  request: RequestInfo;
  /** `link`: the writes that spend the step-up's code, committed with the link. */
  spend?: StepUpWrites;
}

async function resolveIdentity(deps: Deps, provider: OAuthProviderConfig, profile: ProviderProfile, ctx: ResolveContext): Promise<OAuthOutcome> {
  switch (ctx.intent) {
    case 'link':
      return linkIdentity(deps, (ctx.principal as Principal).userId, provider, profile, ctx.request, [], ctx.spend ?? NO_STEP_UP);
    case 'reauthenticate':
      return reauthenticateWithIdentity(deps, provider, profile, ctx);
    default:
      return signInByProvider(deps, provider, profile, ctx);
  }
}

/** `intent: "sign_in"`: the outcomes of §4.3 in PowAssent's order. */
async function signInByProvider(deps: Deps, provider: OAuthProviderConfig, profile: ProviderProfile, ctx: ResolveContext): Promise<OAuthOutcome> {
  // 1. A known identity: (provider, sub), never the email (ASVS 6.8.1).
  const known = await deps.store.findIdentity(provider.id, profile.sub);
  if (known) return signInWithIdentity(deps, provider, known, profile, ctx);
  // 2. An invitation given at authorize.
  if (ctx.invitation) return completeInvitation(deps, provider, profile, ctx.invitation, ctx);
  // 3. Registration closed.
  if (!deps.config.oauthRegistration) throw new AuthError('registration_closed');
  // 6. No usable email: the client asks for one.
  if (profile.email === null) throw await pendingIdentity(deps, provider, profile, ctx, messages.field.blank);
  const owner = await deps.store.findUserByEmail(profile.email);
  if (owner) {
    // 7. Never linked automatically, whatever the provider says (pow_assent#79).
    if (profile.emailVerified) throw await pendingIdentity(deps, provider, profile, ctx, messages.field.taken);
    // 8. Unverified and taken: as a registration of a taken address (enumeration-safe).
    await notifyOwner(deps, owner, provider, ctx.request, []);
    return { kind: 'pending' };
  }
  // 4. and 5.
  return createProviderUser(deps, provider, profile, { email: profile.email, verified: profile.emailVerified }, ctx, []);
}

/**
 * Identity resolved → sign the user in: THE one function where a provider sign-in of an existing
 * user ends (the place for the MFA decision). As a password sign-in after a right password:
 * locked, unconfirmed (mail sent again), MFA, the `beforeSignIn` hook; then the identity's
 * provider facts are updated in the commit that creates the session (`amr` `["fed"]`). The
 * user's own email never changes.
 */
export async function signInWithIdentity(
  deps: Deps,
  provider: OAuthProviderConfig,
  identity: Identity,
  profile: ProviderProfile,
  ctx: Pick<ResolveContext, 'rememberMe' | 'request'>,
  extraOps: WriteOp[] = [],
): Promise<OAuthOutcome> {
  let user = await deps.store.getUser(identity.userId);
  if (!user) throw new AuthError('invalid_credentials');
  const refuse = (reason: string) =>
    recordAudit(deps, { type: 'sign_in', outcome: 'failure', userId: user?.id ?? null, details: { method: 'provider', reason }, request: ctx.request });
  if (user.locked) {
    await refuse('locked');
    throw new AuthError('account_locked', messages.accountLocked);
  }
  if (!user.emailConfirmed && deps.config.requireEmailConfirmation) {
    await resendConfirmationMail(deps, user).catch((error: unknown) => {
      if (!isConflict(error)) throw error;
    });
    await refuse('unconfirmed');
    throw new AuthError('email_not_confirmed', messages.emailNotConfirmed);
  }
  // A provider's own `amr` never satisfies Latch's MFA: an MFA user gets the two-step sign-in's
  // `403 mfa_required` (first factor `fed`), no session; `completeFirstFactor` throws it here.
  const first = { method: 'provider' as const, provider: provider.id, amr: ['fed'], rememberMe: ctx.rememberMe, request: ctx.request };
  if (needsSecondFactor(user, first.amr)) {
    await completeFirstFactor(deps, user, first);
    throw new ServiceUnavailableError();
  }
  const hook = { amr: ['fed'], method: hookMethodOf('provider', provider.id) };
  await runBeforeHook(deps, 'beforeSignIn', { user: toPublicUser(user), rememberMe: ctx.rememberMe, request: ctx.request, ...hook }, { rejectAs: 'forbidden' });
  const update: WriteOp = {
    type: 'updateIdentity',
    userId: user.id,
    provider: provider.id,
    set: { email: profile.email, emailVerified: profile.emailVerified, ...(profile.name !== null ? { name: profile.name } : {}), lastUsedAt: nowIso(deps) },
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    const { ops, tokens, sessionId } = await prepareSession(deps, user, { rememberMe: ctx.rememberMe, request: ctx.request, method: 'provider', amr: ['fed'] });
    try {
      await deps.store.commit([...ops, update, ...extraOps]);
      deps.log.info('signed in', { flow: 'oauth', userId: user.id, provider: provider.id });
      await runAfterHook(deps, 'afterSignIn', { user: tokens.user, sessionId, request: ctx.request, ...hook });
      return { kind: 'signedIn', status: 200, tokens };
    } catch (error) {
      if (!isConflict(error, 'user_changed')) throw error;
      const fresh = await deps.store.getUser(identity.userId);
      if (!fresh) throw new AuthError('invalid_credentials');
      if (fresh.locked) throw new AuthError('account_locked', messages.accountLocked);
      user = fresh;
    }
  }
  throw new ServiceUnavailableError('Too many concurrent sign-ins to this account. Please try again.');
}

function newIdentity(deps: Deps, userId: string, provider: OAuthProviderConfig, profile: ProviderProfile): Identity {
  const at = nowIso(deps);
  return {
    userId,
    provider: provider.id,
    sub: profile.sub,
    email: profile.email,
    emailVerified: profile.emailVerified,
    name: profile.name,
    createdAt: at,
    lastUsedAt: at,
  };
}

/**
 * Cases 4 and 5 (and `create`): a registration by a provider. A verified address (or no
 * confirmation required) signs in at once (`201`); an unverified one with confirmation required
 * creates the account unconfirmed with a confirmation mail (`202`). A concurrent sign-up that won
 * the identity claim makes this one continue as a known identity.
 */
async function createProviderUser(
  deps: Deps,
  provider: OAuthProviderConfig,
  profile: ProviderProfile,
  address: { email: string; verified: boolean },
  ctx: ResolveContext,
  extraOps: WriteOp[],
): Promise<OAuthOutcome> {
  const decided = await runBeforeHook(deps, 'beforeRegistration', { email: address.email, attributes: {}, request: ctx.request });
  const attributes = checkHookAttributes(deps, 'beforeRegistration', decided?.attributes);
  const user: User = { ...newUser(deps, { email: address.email, passwordHash: null, emailConfirmed: address.verified, attributes }), signInMethods: 1 };
  const identity = newIdentity(deps, user.id, provider, profile);
  const subject = { userId: user.id, emailCanonical: user.emailCanonical, request: ctx.request };
  const events = [
    await auditOp(deps, { ...subject, type: 'registration', details: { method: `oauth:${provider.id}` } }),
    await auditOp(deps, { ...subject, type: 'identity.linked', details: { provider: provider.id } }),
  ];
  try {
    if (address.verified || !deps.config.requireEmailConfirmation) {
      const { ops, tokens } = await prepareSession(deps, user, {
        rememberMe: ctx.rememberMe,
        request: ctx.request,
        newUser: true,
        method: 'provider',
        amr: ['fed'],
      });
      await deps.store.commit([{ type: 'createUser', user }, { type: 'putIdentity', identity }, ...events, ...ops.slice(1), ...extraOps]);
      deps.log.info('registered', { flow: 'oauth', userId: user.id, provider: provider.id });
      await runAfterHook(deps, 'afterRegistration', { user: tokens.user, request: ctx.request });
      return { kind: 'signedIn', status: 201, tokens };
    }
    const { tokenOp, mail, expiresAt } = await prepareConfirmationMail(deps, user);
    const pending: User = { ...user, expiresAt };
    await commitWithMail(
      deps,
      [{ type: 'createUser', user: pending }, { type: 'putIdentity', identity }, tokenOp, ...events, ...extraOps],
      [mail],
      'change-only',
    );
    deps.log.info('registered', { flow: 'oauth', userId: user.id, provider: provider.id, code: 'unconfirmed' });
    await runAfterHook(deps, 'afterRegistration', { user: toPublicUser(pending), request: ctx.request });
    return { kind: 'pending' };
  } catch (error) {
    if (isConflict(error, 'identity_taken')) {
      const winner = await deps.store.findIdentity(provider.id, profile.sub);
      if (winner && extraOps.length === 0) return signInWithIdentity(deps, provider, winner, profile, ctx);
      throw new AuthError('identity_taken', `The ${provider.name} account is already bound to another user.`);
    }
    if (isConflict(error, 'email_taken')) throw new ValidationError({ email: [messages.field.taken] });
    throw error;
  }
}

/** Cases 6 and 7: stores the pending identity (bound to this flow) and answers `422` with its `pendingToken`. */
async function pendingIdentity(
  deps: Deps,
  provider: OAuthProviderConfig,
  profile: ProviderProfile,
  ctx: ResolveContext,
  message: string,
): Promise<ValidationError> {
  const token = randomSecret();
  const item: OAuthPending = {
    kind: 'pending',
    hash: hashSecret(token),
    provider: provider.id,
    sub: profile.sub,
    email: profile.email,
    emailVerified: profile.emailVerified,
    name: profile.name,
    rememberMe: ctx.rememberMe,
    flowSecretHash: ctx.flowSecretHash,
    invitationHash: null,
    expiresAt: nowSeconds(deps) + deps.config.oauthPendingTtlSeconds,
  };
  await deps.store.commit([{ type: 'putOAuthItem', item }]);
  return new ValidationError({ email: [message] }, undefined, { pendingToken: token });
}

/**
 * Case 8 (and `create` with a taken address): the owner of the address gets registration's
 * "someone tried to register" mail; nothing else changes. `extraOps` (a spent pending identity)
 * are written with it, or alone when the mail is capped or the account changed.
 */
async function notifyOwner(deps: Deps, owner: User, provider: OAuthProviderConfig, request: RequestInfo, extraOps: WriteOp[]): Promise<void> {
  const refused = {
    type: 'registration' as const,
    outcome: 'failure' as const,
    userId: owner.id,
    emailCanonical: owner.emailCanonical,
    details: { method: `oauth:${provider.id}`, reason: 'already_registered' },
    request,
  };
  const event = await auditOp(deps, refused);
  const notice = await prepareTemplateMail(
    deps,
    owner.email,
    'alreadyRegistered',
    { appUrl: deps.config.appUrl, email: owner.email, resetLink: `${deps.config.appUrl}/reset-password` },
    { userId: owner.id, locale: owner.locale, cap: { kind: 'registrationNotice', emailCanonical: owner.emailCanonical } },
  );
  const alone = async () => {
    if (extraOps.length > 0) await deps.store.commit([...extraOps, event]);
    else await recordAudit(deps, refused);
  };
  try {
    const outcome = await commitWithMail(
      deps,
      [{ type: 'checkUser', id: owner.id, guard: { emailCanonical: owner.emailCanonical } }, event, ...extraOps],
      [notice],
      'nothing',
    );
    if (outcome === 'capped') await alone();
  } catch (error) {
    if (isConflict(error, 'user_changed') || isConflict(error, 'not_found')) return alone();
    throw error;
  }
}

/** Case 2: the invitee completes their account with the identity (invitation spent, address confirmed). */
async function completeInvitation(
  deps: Deps,
  provider: OAuthProviderConfig,
  profile: ProviderProfile,
  ref: InvitationRef,
  ctx: ResolveContext,
): Promise<OAuthOutcome> {
  const [token, user] = await Promise.all([deps.store.getToken(ref.userId, 'invitation'), deps.store.getUser(ref.userId)]);
  if (!token || !user || !safeEqual(token.hash, ref.hash) || token.expiresAt <= nowSeconds(deps) || !user.invitationPending || user.passwordHash !== null) {
    throw new AuthError('invalid_token');
  }
  if (user.locked) throw new AuthError('account_locked', messages.accountLocked);
  const set = { emailConfirmed: true, invitationPending: false, signInMethods: 1, updatedAt: nowIso(deps) };
  const { ops, tokens, sessionId } = await prepareSession(deps, user, { rememberMe: ctx.rememberMe, request: ctx.request, method: 'provider', amr: ['fed'] });
  const writes = ops.map((op): WriteOp => (op.type === 'updateUser' && op.id === user.id ? { ...op, set: { ...op.set, ...set } } : op));
  const subject = { userId: user.id, sessionId, emailCanonical: user.emailCanonical, request: ctx.request };
  try {
    await deps.store.commit([
      { type: 'consumeToken', userId: user.id, kind: 'invitation', hash: token.hash, now: nowSeconds(deps) },
      ...writes,
      { type: 'putIdentity', identity: newIdentity(deps, user.id, provider, profile) },
      await auditOp(deps, { ...subject, type: 'invitation.accepted', details: { method: `oauth:${provider.id}` } }),
      await auditOp(deps, { ...subject, type: 'identity.linked', details: { provider: provider.id } }),
    ]);
  } catch (error) {
    if (isConflict(error, 'identity_taken')) throw new AuthError('identity_taken', `The ${provider.name} account is already bound to another user.`);
    if (isConflict(error)) throw new AuthError('invalid_token');
    throw error;
  }
  deps.log.info('invitation accepted', { flow: 'oauth', userId: user.id, provider: provider.id });
  const accepted: User = { ...user, ...set };
  return { kind: 'signedIn', status: 201, tokens: { ...tokens, user: toPublicUser(accepted) as PublicUser } };
}

/**
 * `intent: "link"` and `POST /me/identities`: binds the provider account to the user. The same
 * identity already linked answers `200`; bound to someone else `409 identity_taken`; another
 * identity of this provider `409 already_enabled`. `signInMethods` gains one in the same write.
 */
async function linkIdentity(
  deps: Deps,
  userId: string,
  provider: OAuthProviderConfig,
  profile: ProviderProfile,
  request: RequestInfo,
  extraOps: WriteOp[],
  stepUp: StepUpWrites = NO_STEP_UP,
): Promise<OAuthOutcome> {
  const user = await deps.store.getUser(userId);
  if (!user) throw new AuthError('unauthorized');
  const taken = () => new AuthError('identity_taken', `The ${provider.name} account is already bound to another user.`);
  const existing = await deps.store.findIdentity(provider.id, profile.sub);
  if (existing?.userId === userId) {
    const ops = [...extraOps, ...stepUpOps(userId, stepUp)];
    if (ops.length > 0) {
      try {
        await deps.store.commit(ops);
      } catch (error) {
        if (isConflict(error, 'code_spent')) throw codeSpent();
        if (isConflict(error, 'token_mismatch')) throw new AuthError('invalid_token');
        throw error;
      }
    }
    return { kind: 'linked', status: 200, identity: publicIdentity(existing) };
  }
  if (existing) throw taken();
  const identity = newIdentity(deps, userId, provider, profile);
  const identities = await deps.store.listIdentities(userId);
  try {
    await deps.store.commit([
      { type: 'putIdentity', identity },
      // One write of the profile: the count, and the step-up's code spent with it.
      {
        type: 'updateUser',
        id: userId,
        guard: { unlocked: true, sessionEpoch: user.sessionEpoch },
        adjust: { signInMethods: { delta: 1, derived: (user.passwordHash ? 1 : 0) + identities.length } },
        ...(stepUp.spend ? { spend: stepUp.spend } : {}),
      },
      ...stepUp.extra,
      await auditOp(deps, { type: 'identity.linked', userId, emailCanonical: user.emailCanonical, details: { provider: provider.id }, request }),
      enqueueOp(
        await prepareTemplateMail(
          deps,
          user.email,
          'identityLinked',
          { appUrl: deps.config.appUrl, email: user.email, provider: provider.name },
          { userId, locale: user.locale, cap: null },
        ),
      ),
      ...extraOps,
    ]);
  } catch (error) {
    if (isConflict(error, 'code_spent')) throw codeSpent();
    if (isConflict(error, 'identity_taken')) {
      const winner = await deps.store.findIdentity(provider.id, profile.sub);
      if (winner?.userId === userId) return { kind: 'linked', status: 200, identity: publicIdentity(winner) };
      throw taken();
    }
    if (isConflict(error, 'identity_exists')) throw new AuthError('already_enabled');
    if (isConflict(error, 'user_changed')) {
      const fresh = await deps.store.getUser(userId);
      if (fresh?.locked) throw new AuthError('account_locked', messages.accountLocked);
      throw new AuthError('unauthorized');
    }
    if (isConflict(error, 'token_mismatch')) throw new AuthError('invalid_token');
    if (isConflict(error, 'not_found')) throw new AuthError('unauthorized');
    throw error;
  }
  deps.log.info('identity linked', { flow: 'oauth', userId, provider: provider.id });
  return { kind: 'linked', status: 201, identity: publicIdentity(identity) };
}

/**
 * `intent: "reauthenticate"`: the provider account must be linked to the caller; an MFA user
 * also sends `code`. The session's `amr` becomes `["fed"]` (plus the code's factor) and its
 * `authTime` now.
 */
async function reauthenticateWithIdentity(deps: Deps, provider: OAuthProviderConfig, profile: ProviderProfile, ctx: ResolveContext): Promise<OAuthOutcome> {
  const principal = ctx.principal as Principal;
  const identity = await deps.store.findIdentity(provider.id, profile.sub);
  if (identity?.userId !== principal.userId) throw new AuthError('invalid_credentials');
  const { user, session } = await loadCaller(deps, principal);
  let proof = null;
  if (user.mfaEnabled) {
    if (ctx.code === undefined || ctx.code.trim() === '') throw new ValidationError({ code: [messages.field.blank] });
    await refuseDuringMfaLockout(deps, user, 'oauth');
    proof = (await verifyCode(deps, user, ctx.code)) ?? null;
    if (!proof) {
      await recordMfaFailure(deps, user, 'oauth');
      throw new AuthError('invalid_code');
    }
  }
  const now = nowSeconds(deps);
  const amr = proof ? amrWithSecondFactor(['fed'], proof.method === 'totp' ? 'otp' : 'rcode') : ['fed'];
  const aal = proof ? 'aal2' : 'aal1';
  const ops: WriteOp[] = [
    { type: 'updateSession', userId: user.id, id: session.id, ifJti: principal.jti, set: { amr, authTime: now } },
    ...(proof ? [{ type: 'updateUser' as const, id: user.id, spend: proof.spend }] : []),
    await auditOp(deps, {
      type: 'reauthenticate',
      userId: user.id,
      sessionId: session.id,
      details: { method: `oauth:${provider.id}`, aal },
      request: ctx.request,
    }),
  ];
  try {
    await deps.store.commit(ops);
  } catch (error) {
    if (isConflict(error, 'code_spent')) throw new AuthError('invalid_code');
    if (isConflict(error)) throw new AuthError('unauthorized');
    throw error;
  }
  return { kind: 'reauthenticated', reauthenticatedUntil: new Date((now + deps.config.reauthWindowSeconds) * 1000).toISOString(), aal };
}

// ---------------------------------------------------------------------------------------------
// §4.4 pending identities

/** A pending identity by token, checked against its provider, expiry and flow secret (read only). */
async function findPending(deps: Deps, provider: OAuthProviderConfig, pendingToken: unknown, flowSecret: unknown): Promise<OAuthPending> {
  const token = present(pendingToken);
  const secret = present(flowSecret);
  if (!token || !secret) throw new AuthError('invalid_token');
  const item = await deps.store.getOAuthItem('pending', hashSecret(token));
  if (item?.kind !== 'pending' || item.provider !== provider.id || item.expiresAt <= nowSeconds(deps) || !safeEqual(item.flowSecretHash, hashSecret(secret))) {
    throw new AuthError('invalid_token');
  }
  return item;
}

function consumePendingOp(deps: Deps, item: OAuthPending): WriteOp {
  return { type: 'consumeOAuthItem', kind: 'pending', hash: item.hash, provider: item.provider, flowSecretHash: item.flowSecretHash, now: nowSeconds(deps) };
}

function profileOf(item: OAuthPending): ProviderProfile {
  return { sub: item.sub, email: item.email, emailVerified: item.emailVerified, name: item.name };
}

/**
 * `POST /oauth/{provider}/create`: a pending identity registers with an address the user typed
 * (not verified by the provider), by registration's rules.
 */
export async function createFromPending(
  deps: Deps,
  providerId: string | undefined,
  input: { pendingToken?: string | undefined; flowSecret?: string | undefined; email?: string | undefined },
  request: RequestInfo,
): Promise<OAuthOutcome> {
  const provider = providerOf(deps, providerId);
  const pending = await findPending(deps, provider, input.pendingToken, input.flowSecret);
  const email = input.email === undefined || input.email === '' ? undefined : canonicalEmailOf(input.email);
  if (input.email === undefined || input.email === '') throw new ValidationError({ email: [messages.field.blank] });
  if (email === undefined) throw new ValidationError({ email: [messages.field.invalidFormat] });
  if (!deps.config.oauthRegistration) throw new AuthError('registration_closed');
  const consume = consumePendingOp(deps, pending);
  const ctx: ResolveContext = {
    intent: 'sign_in',
    rememberMe: pending.rememberMe,
    invitation: null,
    principal: undefined,
    flowSecretHash: pending.flowSecretHash,
    request,
  };
  const owner = await deps.store.findUserByEmail(email);
  if (owner) {
    if (!deps.config.requireEmailConfirmation) throw new ValidationError({ email: [messages.field.taken] }, undefined, { pendingToken: input.pendingToken });
    try {
      await notifyOwner(deps, owner, provider, request, [consume]);
    } catch (error) {
      if (isConflict(error, 'token_mismatch')) throw new AuthError('invalid_token');
      throw error;
    }
    return { kind: 'pending' };
  }
  try {
    return await createProviderUser(deps, provider, { ...profileOf(pending), email, emailVerified: false }, { email, verified: false }, ctx, [consume]);
  } catch (error) {
    if (isConflict(error, 'token_mismatch')) throw new AuthError('invalid_token');
    throw error;
  }
}

/** `POST /me/identities` (R): links a pending identity to the signed-in user (the safe form of PowAssent's "link by email"). */
export async function linkPending(
  deps: Deps,
  principal: Principal,
  input: StepUpInput & { pendingToken?: string | undefined; flowSecret?: string | undefined; provider?: string | undefined },
  request: RequestInfo,
): Promise<OAuthOutcome> {
  const token = present(input.pendingToken);
  const secret = present(input.flowSecret);
  if (!token || !secret) throw new AuthError('invalid_token');
  const item = await deps.store.getOAuthItem('pending', hashSecret(token));
  if (item?.kind !== 'pending') throw new AuthError('invalid_token');
  const provider = providerOf(deps, item.provider);
  const pending = await findPending(deps, provider, token, secret);
  const stepUp = await requireStepUp(deps, principal, input, 'oauth');
  return linkIdentity(
    deps,
    principal.userId,
    provider,
    profileOf(pending),
    request,
    [consumePendingOp(deps, pending)],
    await stepUpWrites(deps, stepUp, request),
  );
}

// ---------------------------------------------------------------------------------------------
// §5 native ID tokens

/** `POST /oauth/{provider}/nonce`. */
export async function issueNonce(deps: Deps, providerId: string | undefined): Promise<{ nonce: string; expiresIn: number }> {
  const provider = providerOf(deps, providerId);
  if (!hasIdTokens(provider)) throw new AuthError('not_found');
  const nonce = randomSecret();
  const expiresIn = deps.config.oauthNonceTtlSeconds;
  await deps.store.commit([
    { type: 'putOAuthItem', item: { kind: 'nonce', hash: hashSecret(nonce), provider: provider.id, expiresAt: nowSeconds(deps) + expiresIn } },
  ]);
  return { nonce, expiresIn };
}

export interface IdTokenInput extends StepUpInput {
  idToken?: string | undefined;
  nonce?: string | undefined;
  intent?: string | undefined;
  rememberMe?: boolean | undefined;
  invitationToken?: string | undefined;
}

/** `POST /oauth/{provider}/id-token`: the nonce is spent first, then the token is verified, then §4.3. */
export async function signInWithIdToken(
  deps: Deps,
  providerId: string | undefined,
  input: IdTokenInput,
  principal: Principal | undefined,
  request: RequestInfo,
): Promise<OAuthOutcome> {
  const providers = providersOf(deps);
  const provider = providerOf(deps, providerId);
  if (!hasIdTokens(provider)) throw new AuthError('not_found');
  const nonce = present(input.nonce);
  if (!nonce) throw new AuthError('invalid_token');
  try {
    await deps.store.commit([{ type: 'consumeOAuthItem', kind: 'nonce', hash: hashSecret(nonce), provider: provider.id, now: nowSeconds(deps) }]);
  } catch (error) {
    if (isConflict(error, 'token_mismatch')) throw new AuthError('invalid_token');
    throw error;
  }
  const intent = (input.intent ?? 'sign_in') as OAuthIntent;
  if (!INTENTS.includes(intent)) throw new ValidationError({ intent: [messages.field.invalid] });
  if (intent !== 'sign_in' && !principal) throw new AuthError('unauthorized');
  const idToken = present(input.idToken);
  if (!idToken) throw new AuthError('oauth_failed');
  const invitation = intent === 'sign_in' ? invitationRefOf(await checkInvitation(deps, input.invitationToken)) : null;
  const spend = intent === 'link' && principal ? await stepUpWrites(deps, await requireStepUp(deps, principal, input, 'oauth'), request) : NO_STEP_UP;
  const profile = await providers.verifyIdToken(provider, idToken, nonce);
  return resolveIdentity(deps, provider, profile, {
    spend,
    intent,
    rememberMe: input.rememberMe === true,
    invitation,
    principal,
    flowSecretHash: hashSecret(nonce),
    code: input.code,
    request,
  });
}

// ---------------------------------------------------------------------------------------------
// §6 identities

/** `GET /me/identities`. */
export async function myIdentities(deps: Deps, principal: Principal): Promise<{ identities: PublicIdentity[] }> {
  return { identities: (await deps.store.listIdentities(principal.userId)).map((i) => publicIdentity(i)) };
}

/** `GET /admin/users/{id}/identities` and the CLI: with `sub`. */
export async function userIdentities(deps: Deps, userId: string): Promise<{ identities: PublicIdentity[] }> {
  const user = await deps.store.getUser(userId);
  if (!user) throw new AuthError('not_found');
  return { identities: (await deps.store.listIdentities(userId)).map((i) => publicIdentity(i, true)) };
}

/**
 * Removes one identity: the claim (which must be the user's), the identity and one of
 * `signInMethods` in one write. The user's own removal is conditioned on another method
 * remaining (`409 last_sign_in_method`, also when two removals race); an admin's is not.
 */
async function unlink(
  deps: Deps,
  user: User,
  providerId: string,
  by: 'self' | 'admin' | 'operator',
  request: RequestInfo,
  principal?: Principal,
  stepUp: StepUpWrites = NO_STEP_UP,
): Promise<void> {
  const identities = await deps.store.listIdentities(user.id);
  const identity = identities.find((i) => i.provider === providerId);
  if (!identity) throw new AuthError('not_found');
  const derived = (user.passwordHash ? 1 : 0) + identities.length;
  try {
    await deps.store.commit([
      { type: 'deleteIdentity', userId: user.id, provider: providerId, sub: identity.sub },
      // The user's own removal keeps another method (two racing cannot both take the last one), and
      // spends the step-up's code in the same write of the profile; an admin's may leave none.
      by === 'self'
        ? {
            type: 'updateUser',
            id: user.id,
            guard: { signInMethodsAbove: { min: 1, derived } },
            adjust: { signInMethods: { delta: -1, derived } },
            ...(stepUp.spend ? { spend: stepUp.spend } : {}),
          }
        : { type: 'countSignInMethods', userId: user.id, add: -1, ifAbsent: derived },
      await auditOp(deps, {
        type: 'identity.unlinked',
        userId: user.id,
        emailCanonical: user.emailCanonical,
        details: { provider: providerId, by },
        ...(by === 'self' ? {} : { actor: adminActor(principal, request) }),
        request,
      }),
      enqueueOp(
        await prepareTemplateMail(
          deps,
          user.email,
          'identityUnlinked',
          { appUrl: deps.config.appUrl, email: user.email, provider: providerName(deps, providerId) },
          { userId: user.id, locale: user.locale, cap: null },
        ),
      ),
      ...stepUp.extra,
    ]);
  } catch (error) {
    if (isConflict(error, 'last_method')) throw new AuthError('last_sign_in_method');
    if (isConflict(error, 'code_spent')) throw codeSpent();
    if (isConflict(error, 'user_changed')) {
      // The guard: another removal took the last-but-one method meanwhile.
      const fresh = await deps.store.getUser(user.id);
      if (fresh && (fresh.signInMethods ?? derived) <= 1) throw new AuthError('last_sign_in_method');
      throw new ServiceUnavailableError('Your account changed meanwhile. Please try again.');
    }
    if (isConflict(error, 'not_found')) throw new AuthError('not_found');
    throw error;
  }
  deps.log.info('identity unlinked', { flow: 'oauth', userId: user.id, provider: providerId, by });
}

/** `DELETE /me/identities/{provider}` (R). */
export async function unlinkMine(deps: Deps, principal: Principal, providerId: string | undefined, input: StepUpInput, request: RequestInfo): Promise<void> {
  // 404 and 409 before the step-up proof is checked: a refusal touches no counter.
  const { user: current } = await loadCaller(deps, principal);
  const identities = await deps.store.listIdentities(current.id);
  if (!providerId || !identities.some((i) => i.provider === providerId)) throw new AuthError('not_found');
  // Refused before a code is spent; the write's own condition holds it under concurrency.
  const count = current.signInMethods ?? (current.passwordHash ? 1 : 0) + identities.length;
  if (count <= 1) throw new AuthError('last_sign_in_method');
  const stepUp = await requireStepUp(deps, principal, input, 'oauth');
  // The code is spent in the transaction that unlinks (mfa-and-passkeys §4): a refused unlink spends nothing.
  await unlink(deps, stepUp.user, providerId, 'self', request, undefined, await stepUpWrites(deps, stepUp, request));
}

/** `DELETE /admin/users/{id}/identities/{provider}` and `npx latch users unlink`: may leave no sign-in method. */
export async function adminUnlink(
  deps: Deps,
  principal: Principal | undefined,
  userId: string,
  providerId: string | undefined,
  request: RequestInfo,
): Promise<void> {
  const user = await deps.store.getUser(userId);
  if (!user || !providerId) throw new AuthError('not_found');
  await unlink(deps, user, providerId, request.operator ? 'operator' : 'admin', request, principal);
}
