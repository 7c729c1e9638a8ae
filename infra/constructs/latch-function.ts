import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { COMMON_PASSWORDS_FILE_NAME, commonPasswordsFile } from '../../shared/adapters/breached-passwords/common.js';
import { BREACHED_PASSWORDS_FILE, ensureBreachedPasswords } from '../build/breached-passwords.js';
import { type Argon2Architecture, locateArgon2 } from './argon2-vendor.js';

/** The repository root: the esbuild project root and where `node_modules` and `.latch/` live. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Where esbuild runs (CDK's `projectRoot`): the repository itself, or, when Latch is installed as
 * a package (`<app>/node_modules/latch` or `<app>/node_modules/@scope/latch`), the app that
 * installed it, whose `node_modules/.bin/esbuild` CDK runs and whose `node_modules` holds
 * Latch's hoisted dependencies.
 */
export const BUNDLING_ROOT = ((): string => {
  const parent = path.dirname(PROJECT_ROOT);
  if (path.basename(parent) === 'node_modules') return path.dirname(parent);
  if (path.basename(parent).startsWith('@') && path.basename(path.dirname(parent)) === 'node_modules') return path.dirname(path.dirname(parent));
  return PROJECT_ROOT;
})();

/** A path given relative to the project root, relative to {@link BUNDLING_ROOT} instead (POSIX separators). */
function fromBundlingRoot(relativeToProject: string): string {
  return path.relative(BUNDLING_ROOT, path.resolve(PROJECT_ROOT, relativeToProject)).split(path.sep).join('/');
}

/**
 * esbuild emits ESM (top-level await, smaller cold start), but some bundled CommonJS packages
 * still call `require` for Node built-ins; this gives them one. Aliased so that it cannot clash
 * with a `createRequire` import of the bundle itself.
 */
const ESM_REQUIRE_BANNER = "import { createRequire as __latchCreateRequire } from 'node:module'; const require = __latchCreateRequire(import.meta.url);";

/** Properties of a {@link LatchFunction}. */
/** Memory of the functions that run argon2id: one full vCPU (see `npm run bench` row 8). */
export const ARGON2_MEMORY_MB = 1769;

export interface LatchFunctionProps {
  /** The handler file (exports `handler`), absolute or relative to the repository root. */
  readonly entry: string;
  /** Shown in the Lambda console. */
  readonly description?: string;
  /** @default Architecture.ARM_64 (cheaper per GB-second; the bundle carries the matching argon2) */
  readonly architecture?: lambda.Architecture;
  /**
   * Ship `@node-rs/argon2` (JS wrapper and the native binary for `architecture`) next to the bundle.
   * @default false
   */
  readonly argon2?: boolean;
  /**
   * Lambda gives CPU in proportion to memory, and argon2id at m=19 MiB is CPU-bound.
   * @default 1769 with argon2 (one full vCPU: argon2id with p=1 is CPU-bound, and `npm run bench` row 8
   * shows it the cheapest size within 10 % of the fastest), else 512
   */
  readonly memorySize?: number;
  /** @default 10 seconds (API Gateway gives up on an integration after 30) */
  readonly timeout?: Duration;
  /**
   * A deployer's hooks module (see `shared/hooks/types.ts`), absolute or relative to the
   * repository root. esbuild bundles it on its own next to the handler as `latch-hooks.mjs`, and
   * `LATCH_HOOKS_MODULE` names it, so it loads only when a hook runs.
   * @default no hooks
   */
  readonly hooksModule?: string;
  /**
   * Files copied into the asset as they are: file name in the asset → path (absolute or relative
   * to the repository root). On Lambda they are under `/var/task/`.
   * @default none
   */
  readonly files?: Record<string, string>;
  /** Extra environment variables (settings); `NODE_OPTIONS` is set here. */
  readonly environment?: Record<string, string>;
  /** @default one month */
  readonly logRetention?: logs.RetentionDays;
  /** Of the log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function architectureName(architecture: lambda.Architecture): Argon2Architecture {
  if (architecture.name === lambda.Architecture.ARM_64.name) return 'arm64';
  if (architecture.name === lambda.Architecture.X86_64.name) return 'x64';
  throw new Error(`unsupported Lambda architecture ${architecture.name}`);
}

/**
 * Shell commands that copy argon2 into the asset: the JS wrapper (external to esbuild, loaded
 * with a dynamic `import()`) and the binary package for the function's architecture, as
 * `node_modules/@node-rs/*` beside `index.mjs`, where Node's resolution finds them on Lambda.
 * Local bundling calls this with the project root as `inputDir`: a missing binary throws there
 * with what to run. Docker bundling calls it with the mounted paths; a shell check fails instead.
 */
function copyArgon2Commands(arch: Argon2Architecture, inputDir: string, outputDir: string): string[] {
  const located = locateArgon2(PROJECT_ROOT, arch);
  const local = path.resolve(inputDir) === BUNDLING_ROOT;
  if ('missing' in located) {
    if (local) throw new Error(located.missing);
    return [`echo ${shellQuote(located.missing)} >&2; exit 1`];
  }
  const join = local ? path.join : path.posix.join;
  const wrapper = join(inputDir, fromBundlingRoot(located.wrapperDir));
  const binary = join(inputDir, fromBundlingRoot(located.binaryDir));
  const wrapperOut = join(outputDir, 'node_modules', '@node-rs', 'argon2');
  const binaryOut = join(outputDir, 'node_modules', '@node-rs', path.posix.basename(located.binaryDir));
  return [
    `test -f ${shellQuote(join(binary, located.binaryFile))} || { echo 'argon2 binary missing: run npm run vendor:argon2' >&2; exit 1; }`,
    `mkdir -p ${shellQuote(wrapperOut)} ${shellQuote(binaryOut)}`,
    // Only what runs (and the licence); no README, typings or browser shim.
    `cp ${['package.json', 'index.js', 'LICENSE'].map((f) => shellQuote(join(wrapper, f))).join(' ')} ${shellQuote(wrapperOut)}`,
    `cp ${['package.json', located.binaryFile].map((f) => shellQuote(join(binary, f))).join(' ')} ${shellQuote(binaryOut)}`,
  ];
}

/** Shell commands that copy {@link LatchFunctionProps.files} into the asset. */
function copyFilesCommands(files: Record<string, string>, inputDir: string, outputDir: string): string[] {
  const local = path.resolve(inputDir) === BUNDLING_ROOT;
  const join = local ? path.join : path.posix.join;
  return Object.entries(files).map(([name, source]) => {
    if (name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`asset file name ${name} must be a plain file name`);
    const relative = fromBundlingRoot(source);
    if (local && !existsSync(path.join(BUNDLING_ROOT, relative))) throw new Error(`${source} (for ${name}) does not exist`);
    return `cp ${shellQuote(join(inputDir, relative))} ${shellQuote(join(outputDir, name))}`;
  });
}

/**
 * The lock file CDK asks for: the bundling root's. Nothing is installed from it (dependencies are
 * bundled by esbuild, argon2 is copied in), so where there is none (an app without
 * `package-lock.json` that installed Latch) Latch's own `package.json` stands in: CDK only needs
 * an existing file.
 */
const DEPS_LOCK_FILE = existsSync(path.join(BUNDLING_ROOT, 'package-lock.json'))
  ? path.join(BUNDLING_ROOT, 'package-lock.json')
  : path.join(PROJECT_ROOT, 'package.json');

/** File name of the breached-password list inside an asset (`LATCH_BREACHED_PASSWORDS_FILE`). */
export const BREACHED_PASSWORDS_ASSET = 'breached-passwords.bin';

/** File name of the common-password list inside an asset (`LATCH_COMMON_PASSWORDS_FILE`). */
export const COMMON_PASSWORDS_ASSET = COMMON_PASSWORDS_FILE_NAME;

/**
 * The password data files of a function that sets or checks passwords, shipped beside its bundle
 * (not inside it: the JS stays small), with the variables that name them on Lambda: asset file
 * name → source file, and the environment. The breached list is read at cold start, the common
 * list on the first password check. Also used by `npm run bench` (row 6) to build bundles as CDK does.
 */
export function passwordDataFiles(): { files: Record<string, string>; environment: Record<string, string> } {
  return {
    files: { [BREACHED_PASSWORDS_ASSET]: BREACHED_PASSWORDS_FILE, [COMMON_PASSWORDS_ASSET]: commonPasswordsFile({}) },
    environment: {
      LATCH_BREACHED_PASSWORDS_FILE: `/var/task/${BREACHED_PASSWORDS_ASSET}`,
      LATCH_COMMON_PASSWORDS_FILE: `/var/task/${COMMON_PASSWORDS_ASSET}`,
    },
  };
}

/** File name of the bundled hooks module inside an asset (`LATCH_HOOKS_MODULE`). */
export const HOOKS_BUNDLE = 'latch-hooks.mjs';

/**
 * Shell command that bundles the hooks module into the asset, with the same esbuild options as
 * the handler. Local bundling uses the project's esbuild; the Docker image has its own on PATH.
 */
function bundleHooksCommand(hooksModule: string, inputDir: string, outputDir: string): string {
  const local = path.resolve(inputDir) === BUNDLING_ROOT;
  const join = local ? path.join : path.posix.join;
  const relative = fromBundlingRoot(hooksModule);
  if (local && !existsSync(path.join(BUNDLING_ROOT, relative))) throw new Error(`hooksModule ${hooksModule} does not exist`);
  const esbuild = local ? join(inputDir, 'node_modules', '.bin', 'esbuild') : 'esbuild';
  return [
    shellQuote(esbuild),
    shellQuote(join(inputDir, relative)),
    '--bundle --platform=node --format=esm --target=node22 --minify --sourcemap --sources-content=false',
    "--external:'@aws-sdk/*' --main-fields=module,main --log-level=warning",
    `--banner:js=${shellQuote(ESM_REQUIRE_BANNER)}`,
    `--outfile=${shellQuote(join(outputDir, HOOKS_BUNDLE))}`,
  ].join(' ');
}

/**
 * One Latch Lambda with the project's defaults: Node.js 22 on arm64, bundled by esbuild (ESM,
 * minified, external source maps without sources, AWS SDK v3 left to the runtime), its own log
 * group with a retention, and its own role that may write to that log group and nothing else
 * until grants are added (no `AWSLambdaBasicExecutionRole`, whose logs permissions span every
 * log group).
 */
export class LatchFunction extends Construct {
  /** The Lambda function. */
  readonly function: NodejsFunction;
  /** The execution role; grants go here. */
  readonly role: iam.Role;
  /** Where the function logs. */
  readonly logGroup: logs.LogGroup;
  /** Whether the bundle carries argon2. */
  readonly argon2: boolean;
  /** `arm64` or `x64`. */
  readonly architecture: Argon2Architecture;

  constructor(scope: Construct, id: string, props: LatchFunctionProps) {
    super(scope, id);
    const architecture = props.architecture ?? lambda.Architecture.ARM_64;
    this.architecture = architectureName(architecture);
    this.argon2 = props.argon2 ?? false;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    this.logGroup.grantWrite(this.role);

    const arch = this.architecture;
    const argon2 = this.argon2;
    const hooksModule = props.hooksModule;
    // Every function that sets or checks a password ships the breached and common password lists
    // beside its bundle (not inside it: the bundle stays small).
    if (argon2) ensureBreachedPasswords();
    const passwordData = argon2 ? passwordDataFiles() : { files: {}, environment: {} };
    const files = { ...passwordData.files, ...props.files };
    this.function = new NodejsFunction(this, 'Function', {
      entry: path.resolve(PROJECT_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture,
      memorySize: props.memorySize ?? (argon2 ? ARGON2_MEMORY_MB : 512),
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      projectRoot: BUNDLING_ROOT,
      depsLockFilePath: DEPS_LOCK_FILE,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...(hooksModule ? { LATCH_HOOKS_MODULE: HOOKS_BUNDLE } : {}),
        ...passwordData.environment,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        // Prefer the ESM builds of dependencies (better tree shaking in an ESM bundle).
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        // Stack traces need the mappings, not a copy of the sources inside the asset.
        sourcesContent: false,
        banner: ESM_REQUIRE_BANNER,
        // The AWS SDK clients are bundled (minified), not loaded from the runtime's copy: measured
        // by `npm run bench` row 6, a bundled DynamoDB client initialises in a fraction of the time
        // the runtime's node_modules copy takes (docs/benchmarks.md). argon2 is native and copied in below.
        externalModules: ['@node-rs/argon2'],
        logLevel: LogLevel.WARNING,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            ...(argon2 ? copyArgon2Commands(arch, inputDir, outputDir) : []),
            ...(hooksModule ? [bundleHooksCommand(hooksModule, inputDir, outputDir)] : []),
            ...copyFilesCommands(files, inputDir, outputDir),
          ],
        },
      },
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the bundles target node22 and are tested on that language level; nodejs22.x is a supported Lambda runtime. Moving to a newer runtime is a deliberate change of runtime and esbuild target together, not something a synth should do implicitly.',
    });
  }

  /** Adds a statement to the function's role. */
  addToRolePolicy(statement: iam.PolicyStatement): void {
    this.function.addToRolePolicy(statement);
  }
}
