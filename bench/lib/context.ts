/** What rows share: the options, one in-process Latch and Better Auth, one DynamoDB Local, results. */

import { type BetterAuthBench, startBetterAuth } from './better-auth.js';
import type { LoadedResult, SerialResult } from './compare.js';
import { type LocalDynamo, startLocalDynamo } from './dynamodb.js';
import { type BenchUser, type LatchInProcess, loadLatchInProcess, registerUsers } from './latch.js';
import type { BenchOptions } from './options.js';

/** The flows row 7 prices. */
export const FLOWS = ['register', 'confirm', 'sign-in', 'renew', 'authorize', 'sign-out', 'reset-request', 'reset'] as const;
/**
 * The two-step sign-in of a user with TOTP (`docs/mfa.md`): metered and timed by row 7 as the
 * extra cost over a plain sign-in, not priced (the usage model has no MFA share yet).
 */
export const MFA_FLOWS = ['mfa-challenge', 'mfa-verify'] as const;
export type Flow = (typeof FLOWS)[number] | (typeof MFA_FLOWS)[number];

/** Sign-ins in flight in rows 4 and 5 (the "8 in flight"). */
export const CONCURRENCY = 8;

/** Sign-in measurements of rows 3 and 4, which row 5 puts side by side. */
export interface SignInResults {
  serial?: { argon2: SerialResult; latch: SerialResult; betterAuth: SerialResult };
  loaded?: { argon2: LoadedResult; latch: LoadedResult; betterAuth: LoadedResult };
}

export interface BenchContext {
  options: BenchOptions;
  /** Latch with in-memory deps in this process, and {@link CONCURRENCY} registered users. */
  latch(): Promise<LatchInProcess & { users: BenchUser[] }>;
  /** Better Auth in this process with {@link CONCURRENCY} registered users. */
  betterAuth(): Promise<BetterAuthBench>;
  /** DynamoDB Local with a table (started on first use, stopped by `close`). */
  dynamo(): Promise<LocalDynamo>;
  signIn: SignInResults;
  /** Milliseconds of function CPU per flow and where they come from (row 7 prices them). */
  lambdaMs: Partial<
    Record<Flow, { ms: number; source: string /** Quartiles of the rounds' CPU per call (ms), when measured in rounds. */; quartiles?: [number, number] }>
  >;
  /** Init milliseconds per function name, from row 6 (row 7 prices cold starts with them). */
  initMs: Record<string, number>;
  /** DynamoDB round trips of one sign-in, metered by row 7 (row 8 models durations with them). */
  signInRoundTrips?: number;
  /** CPU and round trips per priced flow as row 7 measured them (row 8 sizes the renewal and authorizer functions with them). */
  flowCosts?: Partial<Record<Flow, { cpuMs: number; roundTrips: number; source: string; quartiles?: [number, number] }>>;
  close(): Promise<void>;
}

/** Memoizes an async factory. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

export function createContext(options: BenchOptions): BenchContext {
  const dynamo = once(startLocalDynamo);
  let dynamoStarted = false;
  return {
    options,
    latch: once(async () => {
      const latch = await loadLatchInProcess();
      return { ...latch, users: await registerUsers(latch.deps, CONCURRENCY, 'sign-in') };
    }),
    betterAuth: once(() => startBetterAuth(CONCURRENCY)),
    dynamo: () => {
      dynamoStarted = true;
      return dynamo();
    },
    signIn: {},
    lambdaMs: {},
    initMs: {},
    close: async () => {
      if (dynamoStarted) await (await dynamo()).stop();
    },
  };
}
