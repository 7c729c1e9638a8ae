import { base32 } from '@otplib/plugin-base32-scure';
import { crypto } from '@otplib/plugin-crypto-node';
import { TOTP } from 'otplib';
import { TOTP_DIGITS, TOTP_PERIOD, TOTP_SECRET_BYTES } from '../domain/totp.js';

/**
 * THE TOTP configuration (`docs/specs/mfa-and-passkeys.md` §6.1): `otplib`'s `TOTP` class on
 * `node:crypto` (`@otplib/plugin-crypto-node`) with base32 secrets (`@otplib/plugin-base32-scure`),
 * SHA-1, `TOTP_DIGITS` digits, `TOTP_PERIOD` seconds. The `otplib` preset's functions would bundle
 * `@noble/hashes` for the HMAC node:crypto already computes. Enrolment makes secrets here and every
 * verification checks codes here: one place for the algorithm, digits, period and window. Pure: a
 * bundle that imports this module without calling it (through `reauthenticate.ts`) drops otplib.
 */
const totp = /* @__PURE__ */ new TOTP({ crypto, base32, algorithm: 'sha1', digits: TOTP_DIGITS, period: TOTP_PERIOD });

/** A fresh secret: `TOTP_SECRET_BYTES` random bytes, base32 without padding (what authenticator apps read). */
export function newTotpSecret(): string {
  return base32.encode(crypto.randomBytes(TOTP_SECRET_BYTES), { padding: false });
}

/** What one verification needs: the base32 secret, the code as typed, the instant, the grace and the last spent step. */
export interface TotpCheck {
  secret: string;
  code: string;
  /** The instant of the check (epoch seconds, the deps' clock). */
  epoch: number;
  /** Seconds into a step during which the previous step's code is still accepted (`AUTH_TOTP_GRACE_SECONDS`). */
  graceSeconds: number;
  /** The last spent step: a code of this step or an earlier one is refused (a replay). */
  afterStep?: number | undefined;
}

/**
 * The time step a code matches: the current step, or the previous one during the first
 * `graceSeconds` of the current (`epochTolerance: [grace, 0]`: never a future step), and above
 * `afterStep` (`afterTimeStep`). Undefined for a wrong or malformed code or secret.
 */
export async function matchedTotpStep(check: TotpCheck): Promise<number | undefined> {
  try {
    const result = await totp.verify(check.code, {
      secret: check.secret,
      epoch: check.epoch,
      epochTolerance: [check.graceSeconds, 0],
      ...(check.afterStep === undefined ? {} : { afterTimeStep: check.afterStep }),
    });
    return result.valid ? result.timeStep : undefined;
  } catch {
    return undefined; // a malformed token or secret
  }
}
