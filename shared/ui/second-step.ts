/**
 * The interface between the hosted sign-in and the two-step sign-in of
 * `docs/specs/mfa-and-passkeys.md` §5 (`POST /session/mfa`, `completeMfa`).
 * The first step is `signIn` as it stands: when it refuses with `403 mfa_required`, the page keeps
 * the problem's `mfaToken` in the `__Host-latch_mfa` cookie and shows `/ui/sign-in/mfa`, which
 * completes through `completeMfa`, the flow behind `POST /session/mfa`.
 */
import { AuthError } from '../domain/errors.js';
import type { Deps } from '../flows/deps.js';
import { loadMfaChallenge } from '../flows/mfa-second-step.js';

/** The challenge a first step answered with, read off `403 mfa_required` (extension members `mfaToken`, `expiresIn`). */
export function challengeOf(error: unknown): { mfaToken: string; expiresIn: number } | undefined {
  if (!(error instanceof AuthError) || (error.code as string) !== 'mfa_required') return undefined;
  const members = (error as AuthError & { members?: Record<string, unknown> }).members ?? {};
  const { mfaToken, expiresIn } = members;
  if (typeof mfaToken !== 'string' || mfaToken.length > 200) return undefined;
  return { mfaToken, expiresIn: typeof expiresIn === 'number' && expiresIn > 0 ? Math.min(expiresIn, 900) : 300 };
}

/** Whether the challenge's user has a passkey (the second step then shows its button); false for any unusable challenge. */
export async function challengeHasPasskey(deps: Deps, mfaToken: string | undefined): Promise<boolean> {
  try {
    const { user } = await loadMfaChallenge(deps, mfaToken);
    return (user.passkeyCount ?? 0) > 0;
  } catch {
    return false;
  }
}
