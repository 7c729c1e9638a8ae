/**
 * Bundles a deployer's hooks module into each Lambda asset, for the `LatchAuth` construct's
 * `hooksModule` prop. NodejsFunction bundles the handler; this adds one `afterBundling` command
 * that bundles the hooks module on its own with esbuild into `hooks.mjs` beside the handler, and
 * the function gets `LATCH_HOOKS_MODULE=hooks.mjs` (resolved against `LAMBDA_TASK_ROOT` by
 * `shared/hooks/load.ts`, and loaded on first use).
 *
 *   new NodejsFunction(this, 'Registration', {
 *     ...,
 *     environment: { ...env, ...hooksEnvironment(props.hooksModule) },
 *     bundling: { ...bundling, commandHooks: withHooksBundling({ hooksModule: props.hooksModule }, otherCommandHooks) },
 *   });
 *
 * Kept free of `aws-cdk-lib` imports (the shape matches its `ICommandHooks`), so the local
 * runner and tests can use it without loading CDK.
 */

/** The file the hooks module becomes inside each function asset. */
export const HOOKS_FILE = 'hooks.mjs';

/** Structurally `aws-cdk-lib/aws-lambda-nodejs`'s `ICommandHooks`. */
export interface CommandHooks {
  beforeBundling(inputDir: string, outputDir: string): string[];
  beforeInstall(inputDir: string, outputDir: string): string[];
  afterBundling(inputDir: string, outputDir: string): string[];
}

export interface HooksBundlingOptions {
  /** The hooks module, relative to the bundling project root (the folder of the lock file), e.g. `src/latch-hooks.ts`. */
  hooksModule: string;
  /** esbuild's `--target`; default `node22` (the functions' runtime). */
  target?: string;
  /**
   * How to run esbuild in the bundling shell. Default `npx --no-install esbuild`, as CDK runs
   * the project's own esbuild for local bundling; use `esbuild` for Docker bundling (CDK's image
   * has it on the PATH).
   */
  esbuildCommand?: string;
}

/** Quotes one argument for `bash -c` / `sh -c`. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The shell commands that bundle the hooks module into `<outputDir>/hooks.mjs`: one ESM file
 * with everything it imports (Latch's `HookRejection` included: rejections are recognised
 * across bundles by a `Symbol.for` brand), and a `require` for CommonJS dependencies.
 */
export function hooksBundlingCommands(options: HooksBundlingOptions, inputDir: string, outputDir: string): string[] {
  const module = options.hooksModule.replace(/\\/g, '/').replace(/^\.\//, '');
  if (module.startsWith('/') || module.split('/').includes('..')) {
    throw new Error(`hooksModule must be a path inside the project, relative to its root: "${options.hooksModule}"`);
  }
  const banner = 'import{createRequire as __latchCreateRequire}from"node:module";const require=__latchCreateRequire(import.meta.url);';
  return [
    [
      options.esbuildCommand ?? 'npx --no-install esbuild',
      shellQuote(`${inputDir}/${module}`),
      '--bundle',
      '--platform=node',
      '--format=esm',
      `--target=${options.target ?? 'node22'}`,
      '--log-level=warning',
      shellQuote(`--banner:js=${banner}`),
      shellQuote(`--outfile=${outputDir}/${HOOKS_FILE}`),
    ].join(' '),
  ];
}

/** Command hooks that bundle the hooks module after the handler, keeping another set's commands. */
export function withHooksBundling(options: HooksBundlingOptions, base?: Partial<CommandHooks>): CommandHooks {
  return {
    beforeBundling: (inputDir, outputDir) => base?.beforeBundling?.(inputDir, outputDir) ?? [],
    beforeInstall: (inputDir, outputDir) => base?.beforeInstall?.(inputDir, outputDir) ?? [],
    afterBundling: (inputDir, outputDir) => [
      ...(base?.afterBundling?.(inputDir, outputDir) ?? []),
      ...hooksBundlingCommands(options, inputDir, outputDir),
    ],
  };
}

/** The function environment that points the runtime at the bundled module (none without a module). */
export function hooksEnvironment(hooksModule: string | undefined): Record<string, string> {
  return hooksModule ? { LATCH_HOOKS_MODULE: HOOKS_FILE } : {};
}
