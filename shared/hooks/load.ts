import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LatchHooks } from './types.js';

const NAMES: Array<keyof LatchHooks> = [
  'beforeRegistration',
  'afterRegistration',
  'beforeSignIn',
  'afterSignIn',
  'tokenClaims',
  'afterPasswordChange',
  'afterLock',
  'afterUnlock',
  'renderMail',
  'sendMail',
];

/**
 * Hooks from a deployer's module (its default export, or its named exports), loaded on first
 * use so cold starts that never reach a hook do not pay for it. `modulePath` is relative to the
 * working folder (locally) or to the function's folder (`LAMBDA_TASK_ROOT`, where CDK bundles it).
 */
export function lazyHooks(modulePath: string): LatchHooks {
  let loaded: Promise<LatchHooks> | undefined;
  const load = () => {
    const base = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
    loaded ??= import(pathToFileURL(path.resolve(base, modulePath)).href).then((mod: { default?: LatchHooks } & LatchHooks) => mod.default ?? mod);
    return loaded;
  };
  const hooks: Record<string, (arg: never) => Promise<unknown>> = {};
  for (const name of NAMES) {
    hooks[name] = async (arg: never) => {
      const module = await load();
      const hook = module[name] as ((arg: never) => Promise<unknown>) | undefined;
      return hook ? hook.call(module, arg) : undefined;
    };
  }
  return hooks as LatchHooks;
}
