import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HOOK_NAMES, type LatchHooks } from './types.js';

/** The hooks module cannot be found or does not look like hooks: a deployment fault. */
export class HookModuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HookModuleError';
  }
}

/** Where `modulePath` is looked up: the function's folder on Lambda, the working folder locally. */
export function resolveHooksModule(modulePath: string): string {
  return path.resolve(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), modulePath);
}

/**
 * Picks the hooks out of a loaded module: its default export if that is an object, else its
 * named exports. A default export naming something that is not a hook (a typo such as
 * `beforeSignin`) or a hook that is not a function is refused, so a mistake fails loudly
 * instead of silently never running.
 */
export function hooksOf(mod: Record<string, unknown>): LatchHooks {
  const known = new Set<string>(HOOK_NAMES);
  const fromDefault = typeof mod.default === 'object' && mod.default !== null;
  const source = (fromDefault ? mod.default : mod) as Record<string, unknown>;
  const hooks: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(source)) {
    if (!known.has(name)) {
      if (fromDefault) throw new HookModuleError(`hooks module: "${name}" is not a hook (known: ${HOOK_NAMES.join(', ')})`);
      continue; // named exports may include helpers
    }
    if (typeof value !== 'function') throw new HookModuleError(`hooks module: "${name}" must be a function`);
    hooks[name] = value;
  }
  return hooks as LatchHooks;
}

/**
 * Hooks from a deployer's module (its default export, or its named exports), loaded on first
 * use so cold starts that never reach a hook do not pay for it. `modulePath` is relative to the
 * working folder (locally, where tsx also loads `.ts`) or to the function's folder
 * (`LAMBDA_TASK_ROOT`, where CDK bundles it as `latch-hooks.mjs`). A missing file throws at once
 * (cold start); a module that fails to load makes each hook call fail (503, logged).
 */
export function lazyHooks(modulePath: string): LatchHooks {
  const file = resolveHooksModule(modulePath);
  if (!existsSync(file)) throw new HookModuleError(`LATCH_HOOKS_MODULE: no file at ${modulePath}`);
  let loaded: Promise<LatchHooks> | undefined;
  const load = () => {
    loaded ??= import(pathToFileURL(file).href).then((mod: Record<string, unknown>) => hooksOf(mod));
    return loaded;
  };
  const hooks: Record<string, (arg: never) => Promise<unknown>> = {};
  for (const name of HOOK_NAMES) {
    hooks[name] = async (arg: never) => {
      const module = await load();
      const hook = module[name] as ((arg: never) => Promise<unknown>) | undefined;
      return hook ? hook.call(module, arg) : undefined;
    };
  }
  return hooks as LatchHooks;
}
