import { canonicalizeEmail } from '../domain/email.js';
import { isConflict, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { randomId } from '../domain/secrets.js';
import { toPublicUser, type User } from '../domain/types.js';
import { FieldChecker } from '../domain/validation.js';
import { runAfterHook, runBeforeHook } from '../hooks/run.js';
import { checkHookAttributes, readUserAttributes } from './attributes.js';
import { auditOp, recordAudit } from './audit.js';
import { type Deps, nowIso, type RequestInfo } from './deps.js';
import { passwordPolicy } from './password-policy.js';
import { commitWithMail, prepareConfirmationLink, prepareConfirmationMail, prepareInvitationMail, prepareTemplateMail } from './send-mail.js';
import { prepareSession, type TokenPair } from './token-pair.js';

/** Body of `POST /registration`. */
export interface RegistrationInput {
  email?: string | undefined;
  password?: string | undefined;
  passwordConfirmation?: string | undefined;
  /** The user's language (hosted-ui.md §8): `en` or `de`. */
  locale?: string | undefined;
  /**
   * The whole parsed body: the deployment's custom attributes are read from its top-level
   * members (see `readUserAttributes`). Omitted: no attributes sent.
   */
  body?: Record<string, unknown> | undefined;
}

/** `pending`: 202, the same whatever the email. `signedIn`: 201 with tokens (no confirmation). */
export type RegistrationResult = { kind: 'pending' } | { kind: 'signedIn'; tokens: TokenPair };

/** Builds a new user record. */
export function newUser(
  deps: Pick<Deps, 'clock'>,
  fields: {
    email: string;
    passwordHash: string | null;
    role?: string;
    emailConfirmed?: boolean;
    invitedBy?: string | null;
    attributes?: Record<string, unknown>;
    locale?: string | null;
  },
): User {
  const now = nowIso(deps);
  return {
    id: randomId(),
    // Callers pass the canonical form already (FieldChecker.email); canonicalising is idempotent.
    email: canonicalizeEmail(fields.email),
    emailCanonical: canonicalizeEmail(fields.email),
    emailConfirmed: fields.emailConfirmed ?? false,
    unconfirmedEmail: null,
    passwordHash: fields.passwordHash,
    role: fields.role ?? 'user',
    locked: false,
    invitedBy: fields.invitedBy ?? null,
    invitationPending: false,
    sessionEpoch: 0,
    sessionSeq: 0,
    attributes: fields.attributes ?? {},
    ...(fields.locale ? { locale: fields.locale } : {}),
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Registers a user. With confirmation required (the default) the answer never reveals whether
 * the email was taken: the owner of an existing account gets a mail instead, and the password is
 * hashed either way so the timing matches. A registration of an address whose account is still
 * unconfirmed replaces that account's password and fields (see `registerExisting`); a new
 * account expires with its last confirmation link unless it is confirmed. One account per canonical email is enforced by the
 * store's conditional claim, so parallel registrations of one email create exactly one account.
 */
export async function register(deps: Deps, input: RegistrationInput, request: RequestInfo): Promise<RegistrationResult> {
  const check = new FieldChecker();
  const email = check.email('email', input.email);
  const password = check.password(input.password, input.passwordConfirmation, passwordPolicy(deps, input.email));
  const sent = readUserAttributes(deps, input.body ?? {}, { mode: 'create', actor: 'user' }, check);
  const locale = check.locale('locale', input.locale, false);
  check.throwIfAny();
  if (email === undefined || password === undefined) throw new Error('unreachable: validated above');

  // Before anything is hashed or written: a refusal (422/403) or a broken hook (503) changes nothing.
  const decided = await runBeforeHook(deps, 'beforeRegistration', { email, attributes: { ...sent }, request });
  const attributes = { ...sent, ...checkHookAttributes(deps, 'beforeRegistration', decided?.attributes) };

  const passwordHash = await deps.hasher.hash(password);
  const user = newUser(deps, { email, passwordHash, attributes, ...(locale ? { locale } : {}) });

  // The account's event goes in the commit that creates it (with the session's `sign_in`, when
  // the registration signs in).
  const registered = await auditOp(deps, {
    type: 'registration',
    userId: user.id,
    emailCanonical: user.emailCanonical,
    details: { method: 'password' },
    request,
  });
  if (!deps.config.requireEmailConfirmation) {
    const { ops, tokens } = await prepareSession(deps, user, { rememberMe: false, request, newUser: true, method: 'registration' });
    try {
      await deps.store.commit([{ type: 'createUser', user }, registered, ...ops.slice(1)]);
    } catch (error) {
      if (!isConflict(error, 'email_taken')) throw error;
      // Without confirmation a taken address is answered as such (422): the attempt is recorded
      // under the account that has it.
      const owner = await deps.store.findUserByEmail(user.emailCanonical);
      if (owner) await recordAudit(deps, alreadyRegistered(owner, request));
      throw new ValidationError({ email: [messages.field.taken] });
    }
    deps.log.info('registered', { flow: 'registration', userId: user.id });
    await runAfterHook(deps, 'afterRegistration', { user: tokens.user, request });
    return { kind: 'signedIn', tokens };
  }

  // Read first on both paths: a taken email then costs the same one read and one transaction
  // as a new one (the owner's mail or the re-registration instead of the account), not a failed
  // write and a second try.
  const existing = await deps.store.findUserByEmail(user.emailCanonical);
  if (existing) {
    await registerExisting(deps, user.emailCanonical, { passwordHash, attributes }, request, existing);
    return { kind: 'pending' };
  }
  // Until it is confirmed, the account lives as long as its last confirmation link.
  const { tokenOp, mail, expiresAt } = await prepareConfirmationMail(deps, user);
  const pending: User = { ...user, expiresAt };
  try {
    // Past the recipient's cap the account is still created, without a mail (same answer).
    const outcome = await commitWithMail(deps, [{ type: 'createUser', user: pending }, tokenOp, registered], [mail], 'change-only');
    deps.log.info('registered', { flow: 'registration', userId: user.id, code: outcome });
  } catch (error) {
    if (!isConflict(error, 'email_taken')) throw error;
    // Registered meanwhile (a concurrent registration of the same email).
    await registerExisting(deps, user.emailCanonical, { passwordHash, attributes }, request);
    return { kind: 'pending' };
  }
  await runAfterHook(deps, 'afterRegistration', { user: toPublicUser(pending), request });
  return { kind: 'pending' };
}

/** How often a re-registration re-reads an account that changed under it before giving up. */
const REREGISTER_ATTEMPTS = 5;

/**
 * Someone registered an email that has an account. A confirmed account's owner gets a notice and
 * nothing changes; an invited address gets a fresh invitation. An account that is still
 * unconfirmed takes the new registration's password and fields, with a fresh confirmation link
 * and its outbox mail in the same commit (the earlier links die with the password they were
 * issued for), so whoever registers someone else's address first gains nothing (account
 * pre-hijacking): only the mailbox confirms, and it confirms the password of the link it holds.
 * Past the recipient's confirmation cap the password and link are still replaced, only the mail
 * is held back: keeping the old password would leave a flooder's link valid. `first`: the
 * account as the caller already read it.
 */
async function registerExisting(
  deps: Deps,
  emailCanonical: string,
  registration: { passwordHash: string; attributes: Record<string, unknown> },
  request: RequestInfo,
  first?: User,
): Promise<void> {
  for (let attempt = 0; attempt < REREGISTER_ATTEMPTS; attempt++) {
    const existing = attempt === 0 && first ? first : await deps.store.findUserByEmail(emailCanonical);
    if (!existing) return; // deleted meanwhile; nothing to tell
    if (existing.emailConfirmed || existing.invitationPending || existing.locked) return notifyExistingOwner(deps, existing, request);
    const { ops, mail } = await prepareConfirmationLink(deps, existing, {
      set: { passwordHash: registration.passwordHash, attributes: registration.attributes, updatedAt: nowIso(deps) },
      // Any session of the replaced password (an account created before confirmation was required) ends.
      bumpEpoch: true,
    });
    // The unconfirmed account is registered anew (its password replaced): its event in that commit.
    ops.push(
      await auditOp(deps, { type: 'registration', userId: existing.id, emailCanonical: existing.emailCanonical, details: { method: 'password' }, request }),
    );
    let outcome: string;
    try {
      outcome = await commitWithMail(deps, ops, [mail], 'change-only');
    } catch (error) {
      // Confirmed, re-registered, locked or moved meanwhile: read again and decide again.
      if (isConflict(error, 'user_changed')) continue;
      if (isConflict(error, 'not_found')) return;
      throw error;
    }
    deps.log.info('registration of unconfirmed email: password replaced, confirmation re-sent', { flow: 'registration', userId: existing.id, code: outcome });
    return;
  }
  // Only a burst of confirmations and locks gets here; the answer stays the same 202 (a 503 only
  // for addresses with an account would reveal them).
  deps.log.warn('registration of unconfirmed email: account kept changing, nothing done', { flow: 'registration', code: 'user_changed' });
}

/**
 * Someone registered an email that has a confirmed or invited account: tell its owner, change
 * nothing else. Each mail is capped per recipient and kind; past the cap nothing is written and
 * nothing sent.
 */
async function notifyExistingOwner(deps: Deps, existing: User, request: RequestInfo): Promise<void> {
  // `registration` failure `already_registered`, under the existing account: in the commit of
  // the owner's mail, or alone when nothing is written (capped, or the account changed meanwhile).
  const refused = alreadyRegistered(existing, request);
  const event = await auditOp(deps, refused);
  const alone = () => recordAudit(deps, refused);
  if (existing.invitationPending && existing.passwordHash === null) {
    // An invited address: the account is not taken over (no password is set, the invitation
    // stays pending); its owner gets a fresh invitation link, which is how they get in.
    if (existing.locked) return alone();
    const { tokenOp, mail } = await prepareInvitationMail(deps, existing);
    try {
      // The guard keeps a registration racing with an acceptance from re-opening the account.
      const outcome = await commitWithMail(
        deps,
        [{ type: 'checkUser', id: existing.id, guard: { passwordHash: null, unlocked: true } }, tokenOp, event],
        [mail],
        'nothing',
      );
      if (outcome === 'capped') await alone();
    } catch (error) {
      if (isConflict(error)) return alone(); // accepted, locked or deleted meanwhile: nothing to send
      throw error;
    }
    deps.log.info('registration of invited email: invitation re-sent', { flow: 'registration', userId: existing.id });
    return;
  }
  const notice = await prepareTemplateMail(
    deps,
    existing.email,
    'alreadyRegistered',
    { appUrl: deps.config.appUrl, email: existing.email, resetLink: `${deps.config.appUrl}/reset-password` },
    { userId: existing.id, locale: existing.locale, cap: { kind: 'registrationNotice', emailCanonical: existing.emailCanonical } },
  );
  try {
    const outcome = await commitWithMail(
      deps,
      [{ type: 'checkUser', id: existing.id, guard: { emailCanonical: existing.emailCanonical } }, event],
      [notice],
      'nothing',
    );
    if (outcome === 'capped') await alone();
  } catch (error) {
    if (isConflict(error)) return alone(); // deleted or moved meanwhile: nothing to tell
    throw error;
  }
  deps.log.info('registration of taken email: owner notified', { flow: 'registration', userId: existing.id });
}

/** The `registration` failure of an address that has an account, under that account. */
function alreadyRegistered(owner: User, request: RequestInfo) {
  return {
    type: 'registration' as const,
    outcome: 'failure' as const,
    userId: owner.id,
    emailCanonical: owner.emailCanonical,
    details: { method: 'password', reason: 'already_registered' },
    request,
  };
}
