import { AuthError, ServiceUnavailableError, ValidationError } from '../domain/errors.js';
import type { Log } from '../ports/services.js';
import { HookRejection, type LatchHooks } from './types.js';

type HookName = keyof LatchHooks;
type HookArg<K extends HookName> = Parameters<NonNullable<LatchHooks[K]>>[0];
type HookResult<K extends HookName> = Awaited<ReturnType<NonNullable<LatchHooks[K]>>>;

/**
 * Runs a hook that may refuse the request (before anything is written). A `HookRejection` becomes
 * the contract's 422 or 403; any other error is a failed dependency (503, logged by name only),
 * so a buggy hook never answers with internals and never leaves a partial write.
 */
export async function runBeforeHook<K extends HookName>(
  deps: { hooks?: LatchHooks | undefined; log: Log },
  name: K,
  ctx: HookArg<K>,
): Promise<HookResult<K> | undefined> {
  const hook = deps.hooks?.[name] as ((arg: HookArg<K>) => Promise<HookResult<K>>) | undefined;
  if (!hook) return undefined;
  try {
    return await hook.call(deps.hooks, ctx);
  } catch (error) {
    if (error instanceof HookRejection) {
      if (error.kind === 'forbidden') throw new AuthError('forbidden', error.message);
      throw new ValidationError(error.errors ?? {}, error.message);
    }
    if (error instanceof AuthError) throw error;
    deps.log.error('hook failed', { hook: name, errorName: error instanceof Error ? error.name : typeof error });
    throw new ServiceUnavailableError();
  }
}

/** Runs a notification hook after a commit: errors are logged and swallowed. */
export async function runAfterHook<K extends HookName>(
  deps: { hooks?: LatchHooks | undefined; log: Log },
  name: K,
  ctx: HookArg<K>,
): Promise<void> {
  const hook = deps.hooks?.[name] as ((arg: HookArg<K>) => Promise<unknown>) | undefined;
  if (!hook) return;
  try {
    await hook.call(deps.hooks, ctx);
  } catch (error) {
    deps.log.error('after-hook failed', { hook: name, errorName: error instanceof Error ? error.name : typeof error });
  }
}
