import type { Deps } from './deps.js';

/**
 * An argon2id hash (m=19456, t=2, p=1, the parameters of `Argon2Hasher`) of a random password
 * nobody knows. Verifying against it costs what a real verification costs, so a sign-in for an
 * unknown email takes as long as one with a wrong password. A test checks that its parameters
 * match the hasher's.
 */
export const DUMMY_PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$rqQGVsGttm22AYomhArRtg$RbwJHU4zNO2WHsoVJduirRCgM0KmDn3pC4JwjoxfqzA';

/** Spends one password verification and always fails. */
export async function verifyDummyPassword(deps: Pick<Deps, 'hasher'>, password: string): Promise<void> {
  await deps.hasher.verify(DUMMY_PASSWORD_HASH, password === '' ? ' ' : password);
}
