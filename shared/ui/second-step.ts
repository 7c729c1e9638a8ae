/**
 * The interface between the hosted sign-in and the two-step sign-in of
 * `docs/specs/mfa-and-passkeys.md` §5 (`POST /session/mfa`, `completeMfa`).
 * The first step is `signIn` as it stands: when it refuses with `403 mfa_required`, the page keeps
 * the problem's `mfaToken` in the `__Host-latch_mfa` cookie and shows `/ui/sign-in/mfa`, which
 * completes through {@link SecondStep.complete}: `completeMfa`, the flow behind `POST /session/mfa`.
 */
import { AuthError } from '../domain/errors.js';
import type { Deps, RequestInfo } from '../flows/deps.js';
import { completeMfa, loadMfaChallenge } from '../flows/mfa-second-step.js';
import type { TokenPair } from '../flows/token-pair.js';

export interface SecondStepInput {
  mfaToken: string;
  code: string;
}

export interface SecondStep {
  /** `POST /session/mfa`'s flow: a token pair, or its refusals (`invalid_code`, `invalid_token`, `too_many_attempts`, …). */
  complete(deps: Deps, input: SecondStepInput, request: RequestInfo): Promise<TokenPair>;
}

/** The challenge a first step answered with, read off `403 mfa_required` (extension members `mfaToken`, `expiresIn`). */
export function challengeOf(error: unknown): { mfaToken: string; expiresIn: number } | undefined {
  if (!(error instanceof AuthError) || (error.code as string) !== 'mfa_required') return undefined;
  const members = (error as AuthError & { members?: Record<string, unknown> }).members ?? {};
  const { mfaToken, expiresIn } = members;
  if (typeof mfaToken !== 'string' || mfaToken.length > 200) return undefined;
  return { mfaToken, expiresIn: typeof expiresIn === 'number' && expiresIn > 0 ? Math.min(expiresIn, 900) : 300 };
}

let current: SecondStep = { complete: (deps, input, request) => completeMfa(deps, input, request) };

/** Replaces the two-step sign-in's flow behind the pages (tests use it for a stand-in). */
export function useSecondStep(step: SecondStep): void {
  current = step;
}

export function secondStep(): SecondStep {
  return current;
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
