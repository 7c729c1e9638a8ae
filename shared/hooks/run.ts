import { AuthError, type FieldErrors, ServiceUnavailableError, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import type { Log } from '../ports/services.js';
import { HookModuleError } from './load.js';
import { isHookRejection, type LatchHooks } from './types.js';

type HookName = keyof LatchHooks;
type HookArg<K extends HookName> = Parameters<NonNullable<LatchHooks[K]>>[0];
type HookResult<K extends HookName> = Awaited<ReturnType<NonNullable<LatchHooks[K]>>>;

/** What the hook runners need from the deps. */
export interface HookDeps {
  hooks?: LatchHooks | undefined;
  log: Log;
}

/** Logs a failed hook by name and error class only: its message may hold user data. */
export function logHookFailure(deps: HookDeps, name: HookName, error: unknown, message = 'hook failed'): void {
  deps.log.error(message, {
    hook: name,
    errorName: error instanceof Error ? error.name : typeof error,
    // A module that cannot load is a deployment fault: its message names the file, not a user.
    ...(error instanceof HookModuleError ? { detail: error.message } : {}),
  });
}

/**
 * Runs a hook that may refuse the request (before anything is written). A `HookRejection`
 * becomes the contract's 422 or 403 (with `rejectAs: 'forbidden'`, always 403); any other error
 * is a failed dependency (503, logged by name only), so a buggy hook never answers with
 * internals and never leaves a partial write.
 */
export async function runBeforeHook<K extends HookName>(
  deps: HookDeps,
  name: K,
  ctx: HookArg<K>,
  options: { rejectAs?: 'forbidden' } = {},
): Promise<HookResult<K> | undefined> {
  const hook = deps.hooks?.[name] as ((arg: HookArg<K>) => Promise<HookResult<K>>) | undefined;
  if (!hook) return undefined;
  try {
    return await hook.call(deps.hooks, ctx);
  } catch (error) {
    if (isHookRejection(error)) {
      if (error.kind === 'forbidden') throw new AuthError('forbidden', error.message || messages.forbidden);
      if (options.rejectAs === 'forbidden') throw new AuthError('forbidden', messages.forbidden);
      throw new ValidationError(cleanFieldErrors(error.errors), error.message || undefined);
    }
    logHookFailure(deps, name, error);
    throw new ServiceUnavailableError(undefined, { cause: error });
  }
}

/** Runs a notification hook after a commit: errors are logged and swallowed. */
export async function runAfterHook<K extends HookName>(deps: HookDeps, name: K, ctx: HookArg<K>): Promise<void> {
  const hook = deps.hooks?.[name] as ((arg: HookArg<K>) => Promise<unknown>) | undefined;
  if (!hook) return;
  try {
    await hook.call(deps.hooks, ctx);
  } catch (error) {
    logHookFailure(deps, name, error, 'after-hook failed');
  }
}

/** Keeps only string messages under each field: the contract's `errors` shape, whatever the hook threw. */
function cleanFieldErrors(errors: FieldErrors | undefined): FieldErrors {
  const out: FieldErrors = {};
  for (const [field, list] of Object.entries(errors ?? {})) {
    const texts = (Array.isArray(list) ? list : [list]).filter((m): m is string => typeof m === 'string');
    out[field] = texts.length > 0 ? texts : [messages.field.invalid];
  }
  return out;
}

/**
 * Runs a hook whose failure must look like "no answer" (`migrateUser`): an error, a rejection or
 * no answer within `timeoutMs` is logged by the hook's name (never its arguments) and gives
 * undefined, as a hook that returned nothing.
 */
export async function runLookupHook<K extends HookName>(deps: HookDeps, name: K, ctx: HookArg<K>, timeoutMs: number): Promise<HookResult<K> | undefined> {
  const hook = deps.hooks?.[name] as ((arg: HookArg<K>) => Promise<HookResult<K>>) | undefined;
  if (!hook) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const result = await Promise.race([hook.call(deps.hooks, ctx), timeout]);
    if (result === 'timeout') {
      logHookFailure(deps, name, new HookTimeoutError(), 'hook timed out');
      return undefined;
    }
    return result;
  } catch (error) {
    logHookFailure(deps, name, error);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** A hook that did not answer in time. */
export class HookTimeoutError extends Error {
  constructor() {
    super('the hook did not answer in time');
    this.name = 'HookTimeoutError';
  }
}
