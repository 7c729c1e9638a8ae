/**
 * TOTP rules that need no library (`docs/specs/mfa-and-passkeys.md` §6.1): the parameters every
 * authenticator app supports, the `otpauth` URI, code shapes, and `amr` of a session. Codes are
 * generated and checked by `otplib` in the flows (`shared/flows/totp-codes.ts`); nothing here computes an HOTP.
 */

/** Seconds per time step (RFC 6238's default; what authenticator apps use). */
export const TOTP_PERIOD = 30;
/** Digits of a code. */
export const TOTP_DIGITS = 6;
/** Bytes of a secret: 160 bits, above NIST's 112. */
export const TOTP_SECRET_BYTES = 20;

/**
 * `otpauth://totp/<issuer>:<email>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`, label
 * and issuer percent-encoded. API clients draw the QR code from it.
 */
export function otpauthUri(issuer: string, email: string, secret: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(email)}`;
  const query = [`secret=${secret}`, `issuer=${encodeURIComponent(issuer)}`, 'algorithm=SHA1', `digits=${TOTP_DIGITS}`, `period=${TOTP_PERIOD}`];
  return `otpauth://totp/${label}?${query.join('&')}`;
}

/** A TOTP code as typed: 6 digits once spaces are removed; undefined for anything else. */
export function normalizeTotpCode(input: string): string | undefined {
  const code = input.replace(/\s+/g, '');
  return /^\d{6}$/.test(code) ? code : undefined;
}

/** The time step of an instant (epoch seconds). */
export function timeStepOf(epochSeconds: number): number {
  return Math.floor(epochSeconds / TOTP_PERIOD);
}

/** The second factors a user may be asked for, as `reauthMethods` and `mfaMethods` name them. */
export type SecondFactorMethod = 'totp' | 'recovery_code';

/** A session's `amr`: stored, or `["pwd"]` for a session created before sessions recorded it. */
export function amrOf(session: { amr?: string[] | undefined }): string[] {
  return session.amr && session.amr.length > 0 ? [...session.amr] : ['pwd'];
}

/** The first factor part of an `amr` (what the session was signed in with before any second factor). */
export function firstFactorOf(amr: readonly string[]): string[] {
  const first = amr.filter((value) => value === 'pwd' || value === 'fed' || value === 'hwk' || value === 'swk');
  return first.length > 0 ? first : ['pwd'];
}

/** `amr` after a second factor: the first factor, the factor's value (`otp`, `rcode`, `hwk`, `swk`), and `mfa`. */
export function amrWithSecondFactor(amr: readonly string[], factor: 'otp' | 'rcode' | 'hwk' | 'swk' | (string & {})): string[] {
  return [...firstFactorOf(amr), factor, 'mfa'];
}

/** A session's last authentication: `authTime`, or its creation for a session created before sessions recorded it. */
export function authTimeOf(session: { authTime?: number | undefined; createdAt: string }): number {
  return typeof session.authTime === 'number' ? session.authTime : Math.floor(Date.parse(session.createdAt) / 1000);
}

/** Authentication assurance levels (`docs/specs/mfa-and-passkeys.md` §3). */
export type Aal = 'aal1' | 'aal2';

/**
 * The level of a session at `now`: `aal2` when its `amr` holds `mfa` and its last authentication
 * is at most `maxAgeSeconds` old (`AUTH_AAL2_MAX_AGE_SECONDS`), else `aal1`. Derived, never stored.
 */
export function aalOf(amr: readonly string[], authTime: number, now: number, maxAgeSeconds: number): Aal {
  return amr.includes('mfa') && now - authTime <= maxAgeSeconds ? 'aal2' : 'aal1';
}

/**
 * The last TOTP step spent as the domain sees it: the larger of the user item's `totp.lastStep`
 * (the enrolment's step; every spend, on tables written before the step moved) and the step the
 * store records apart from it (DynamoDB: the sequence item's `totpStep`; every spend since). Time steps only grow with time, so the larger is a
 * correct lower bound also after TOTP was turned off and on again: a `totpStep` left from the
 * earlier secret is a step of the past, and every code of the new secret typed from the next
 * step on is above it (a re-enrolment within the same 30 s step waits for the next step, as
 * after any spend); a replayed step is refused whichever secret it came from.
 */
export function spentTotpStep(userLastStep: number, seqTotpStep: unknown): number {
  const seq = seqTotpStep === undefined || seqTotpStep === null ? Number.NEGATIVE_INFINITY : Number(seqTotpStep);
  return Math.max(Number(userLastStep), seq);
}
