import type { AuditType } from './audit.js';

/**
 * When each audit event type is written: the text of `docs/audit.md`'s catalogue
 * (`test/support/audit-docs.ts` generates it). Kept beside {@link AUDIT_EVENTS} (`audit.ts`), the
 * one catalogue, and out of it so that no function bundle carries documentation it never reads
 * (issue 17, row 6); the type asks for exactly one entry per event type.
 */
export const AUDIT_EVENT_DOCS: { readonly [T in AuditType]: string } = {
  sign_in: 'every end of a sign-in: a session created, or the attempt refused at the first factor (`reason`)',
  'lockout.start': 'a failed sign-in starts a lockout (of the email or the source address)',
  registration: 'an account is created; failure `already_registered` (under that account) when the email has one',
  'email.confirmed': 'an address is confirmed (a registration or a change)',
  'email.change_requested': 'a change of address waits for its confirmation',
  'email.changed': 'an address change is applied',
  'password.changed': '`PATCH /me` changed the password, or set a first one',
  'password.reset_requested': '`POST /password-reset`: under the account, or under `NOUSER#<day>` with `emailHash` only for an unknown address',
  'password.reset': 'a reset link set a password',
  'password.breached_on_sign_in':
    'a correct password found in the breached or common lists at sign-in: once per password (`notify`) or on each blocked sign-in (`block`)',
  'session.revoked':
    'sign-out, revoking one or all sessions, a lock, a reset, a password change or set, a deletion, the session cap (`by`: `self`, `admin`, `operator`, `system`)',
  'renewal.reuse_detected': 'a spent renewal token was presented and its session revoked',
  'account.deleted': '`DELETE /me`; carries the `emailHash`',
  'invitation.created': 'an invitation is created or sent again',
  'invitation.accepted': 'an invitation is accepted',
  'admin.user_created': 'the admin API or the CLI created a user',
  'admin.user_updated': 'the admin API or the CLI changed a user',
  'admin.locked': 'the admin API or the CLI locked a user',
  'admin.unlocked': 'the admin API or the CLI unlocked a user',
  'admin.password_set': 'the admin API or the CLI set a password',
  'admin.user_deleted': 'the admin API or the CLI deleted a user; carries the `emailHash`',
  'authz.denied': '`403 forbidden` on an admin route (self-protection refusals included); subject = the caller',
  'audit.exported': '`npx latch audit export` wrote a file',
  'user.imported': '`npx latch users import` created the user (`format`: of its password hash, or `none`)',
  'user.migrated': 'the `migrateUser` hook vouched for an unknown email and the user was created (`fromFormat`: `hook`)',
  'password.upgraded': 'a legacy password hash verified at sign-in and was replaced by argon2id',
  'import.completed': '`npx latch users import` finished (counts; the operator as actor)',
  'export.completed': '`npx latch users export` wrote a file (count, flags; the operator as actor)',
  'mfa.totp_enabled': 'a TOTP enrolment was confirmed (`POST /me/mfa/totp/confirm`)',
  'mfa.totp_disabled': '`DELETE /me/mfa/totp` turned TOTP off',
  'mfa.recovery_codes_regenerated': '`POST /me/mfa/recovery-codes` replaced every recovery code',
  'recovery_code.used': 'a recovery code was spent (sign-in, step-up); `remaining` unused codes left',
  reauthenticate:
    '`POST /session/reauthenticate` and `/webauthn`: success (`method`, `aal`), or failure with `reason` (`bad_password`, `bad_code`, `bad_passkey`)',
  'mfa.challenge': 'a right first factor of a user with a second factor: the `mfaToken` was issued (instead of `sign_in`)',
  'mfa.verify': "`POST /session/mfa` and `/session/mfa/webauthn`: success (`method`, with the session's `sign_in`), or failure with `reason` (`bad_code`)",
  'mfa.lockout': 'failed second factors started the MFA lockout of the account',
  'admin.mfa_reset': 'an admin or operator removed every second factor of the user; every session revoked',
  'csrf.rejected': 'a hosted-page POST refused for a missing or wrong CSRF token or a foreign origin (`reason`); nothing changed',
  'identity.linked': 'a provider account was bound to the user (a sign-up by the provider, a link, an invitation completed with it)',
  'identity.unlinked': 'a provider account was removed from the user (`by`: `self`, `admin`, `operator`)',
  'passkey.added': '`POST /me/passkeys` registered a passkey (`first`: the first second factor)',
  'passkey.renamed': '`PATCH /me/passkeys/{id}` renamed a passkey',
  'passkey.removed': '`DELETE /me/passkeys/{id}` removed a passkey (`lastFactor`: MFA is off with it)',
  'passkey.counter_regression': 'a valid assertion whose signature counter did not grow: the passkey is disabled',
  'password.removed': '`DELETE /me/password` removed the password (the user signs in with a passkey)',
  'oauth2.code_issued': "`GET /oauth2/authorize` issued an authorization code for a client (the UI session is the event's session)",
  'oauth2.code_reused': 'a redeemed authorization code was presented again: the session its first redemption created is revoked',
};
