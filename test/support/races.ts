import { ConflictError } from '../../shared/domain/errors.js';
import type { PasswordHasher } from '../../shared/ports/services.js';
import type { AuthStore } from '../../shared/ports/store.js';
import type { ApiResponse } from './stack.js';

/** One request of a loop, given the loop's previous answer (e.g. to renew the token it returned). */
export type Step = (previous: ApiResponse | undefined) => Promise<ApiResponse>;

export interface RaceOutcome {
  /** Each loop's answers, in order. */
  chains: ApiResponse[][];
  /** The answer of the request the loops raced. */
  decisive: ApiResponse;
  /** Loop requests in flight when the decisive request was sent, and when it was answered. */
  inFlightAtSend: number;
  inFlightAtAnswer: number;
}

/**
 * Races request loops against one decisive request (a revoke, a lock, a password change) without
 * sleeping: the decisive request goes out once `trigger` loop answers have come back, and each
 * loop keeps sending while it is answered 200, until one of its requests sent after the decisive
 * answer came back. So requests land on both sides of the decisive one by construction, driven by
 * answers rather than by timers; the test then asserts both outcomes were observed.
 */
export async function raceLoops(loops: Step[], decisive: () => Promise<ApiResponse>, trigger: number, maxPerLoop = 40): Promise<RaceOutcome> {
  let answered = 0;
  let inFlight = 0;
  let decided = false;
  let fire: () => void = () => {};
  const triggered = new Promise<void>((resolve) => {
    fire = resolve;
  });
  const deciding = triggered.then(async () => {
    const inFlightAtSend = inFlight;
    const answer = await decisive();
    decided = true;
    return { answer, inFlightAtSend, inFlightAtAnswer: inFlight };
  });
  const chains = await Promise.all(
    loops.map(async (step) => {
      const chain: ApiResponse[] = [];
      for (let i = 0; i < maxPerLoop; i++) {
        const sentAfterDecision = decided;
        inFlight += 1;
        const response = await step(chain.at(-1));
        inFlight -= 1;
        chain.push(response);
        answered += 1;
        if (answered === trigger) fire();
        if (sentAfterDecision || response.status !== 200) break;
      }
      fire(); // a loop that ended early must not leave the decisive request waiting
      return chain;
    }),
  );
  const { answer, inFlightAtSend, inFlightAtAnswer } = await deciding;
  return { chains, decisive: answer, inFlightAtSend, inFlightAtAnswer };
}

/** Password verifications seen by a watched hasher: how many in all, and how many ran at once. */
export interface VerificationWatch {
  total: number;
  running: number;
  maxRunning: number;
}

/**
 * Wraps the functions' own hasher (the local runner runs the handlers in the test's process) so a
 * race test can count argon2id verifications and prove they overlapped.
 */
export function watchVerifications(deps: { hasher: PasswordHasher }): VerificationWatch {
  const watch: VerificationWatch = { total: 0, running: 0, maxRunning: 0 };
  const inner = deps.hasher;
  deps.hasher = {
    hash: (password) => inner.hash(password),
    hashLookupSecret: (secret) => inner.hashLookupSecret(secret),
    async verify(hash, password) {
      watch.total += 1;
      watch.running += 1;
      watch.maxRunning = Math.max(watch.maxRunning, watch.running);
      try {
        return await inner.verify(hash, password);
      } finally {
        watch.running -= 1;
      }
    },
  };
  return watch;
}

/** How the commits that spent one TOTP step went (see {@link watchTotpSpends}). */
export interface StepSpends {
  /** Commits carrying the step that reached the store (each request that still read it unspent, and its retries). */
  sent: number;
  running: number;
  /** The most of them in flight at once: above 1, the conditional write decided between them. */
  maxRunning: number;
  committed: number;
  /** Why the others failed: a `ConflictError`'s reason, else the error's name. */
  refused: string[];
}

/**
 * Wraps the functions' store (the local runner runs the handlers in the test's process) so a race
 * test can see, per TOTP step, how many commits spending it reached the store, how many were in
 * flight at once and how each ended: the proof that requests raced past the read-time check and
 * the store's condition decided. Returns the steps' records and a function that restores the store.
 */
export function watchTotpSpends(deps: { store: AuthStore }): { steps: Map<number, StepSpends>; restore(): void } {
  const steps = new Map<number, StepSpends>();
  const store = deps.store;
  const commit = store.commit;
  const own = Object.hasOwn(store, 'commit');
  store.commit = async (ops) => {
    const step = ops.flatMap((op) => (op.type === 'updateUser' && op.spend?.totpStep !== undefined ? [op.spend.totpStep] : []))[0];
    if (step === undefined) return commit.call(store, ops);
    const record = steps.get(step) ?? { sent: 0, running: 0, maxRunning: 0, committed: 0, refused: [] };
    steps.set(step, record);
    record.sent += 1;
    record.running += 1;
    record.maxRunning = Math.max(record.maxRunning, record.running);
    try {
      await commit.call(store, ops);
      record.committed += 1;
    } catch (error) {
      record.refused.push(error instanceof ConflictError ? error.reason : error instanceof Error ? error.name : String(error));
      throw error;
    } finally {
      record.running -= 1;
    }
  };
  return {
    steps,
    restore: () => {
      if (own) store.commit = commit;
      else delete (store as Partial<AuthStore>).commit;
    },
  };
}
