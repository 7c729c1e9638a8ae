/**
 * Opens every synthesized Lambda asset: argon2's native binary matches the function's
 * architecture where passwords are hashed and is absent elsewhere, the bundles are ESM with
 * source maps, and a bundle actually loads and answers. Prints each bundle's size.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { argon2BinaryFile, argon2BinaryPackage, ELF_MACHINE } from '../../infra/constructs/argon2-vendor.js';
import { accessOf } from '../../infra/constructs/function-access.js';
import { BREACHED_PASSWORDS_ASSET, COMMON_PASSWORDS_ASSET, HOOKS_BUNDLE, LatchFunction, PROJECT_ROOT } from '../../infra/constructs/latch-function.js';
import { commonPasswordsFile, loadCommonPasswords } from '../../shared/adapters/breached-passwords/common.js';
import { loadBreachedPasswords } from '../../shared/adapters/breached-passwords/file.js';
import { generateStoredKey } from '../../shared/adapters/crypto/key-ring.js';
import { needsRequestSchemas, needsTokenCheck } from '../../shared/http/function.js';
import { type FunctionName, functionNames, hostedUiFunctions } from '../../shared/http/routes.js';
import { type Synthesized, synthLatch } from './synth.js';

const LATCH_FUNCTIONS = [...functionNames().filter((name) => !hostedUiFunctions().has(name)), 'not-found', 'authorizer'];
const extraDirs: string[] = [];
after(() => {
  for (const dir of extraDirs) rmSync(dir, { recursive: true, force: true });
});

/** The asset folder of a Lambda function resource (`asset.<hash>`, named after its S3 key). */
function assetDirOf(synthesized: Synthesized, logicalId: string): string {
  const code = synthesized.json.Resources[logicalId]?.Properties?.Code as { S3Key?: string } | undefined;
  const hash = code?.S3Key?.replace(/\.zip$/, '');
  assert.ok(hash, `${logicalId} has an asset`);
  const dir = path.join(synthesized.outdir, `asset.${hash}`);
  assert.ok(existsSync(dir), `${dir} exists`);
  return dir;
}

/** `e_machine` of an ELF shared object (little-endian, 64-bit), or a reason it is not one. */
function elfMachine(file: string): number {
  const header = readFileSync(file).subarray(0, 20);
  assert.deepEqual([...header.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], `${file} is an ELF file`);
  assert.equal(header[4], 2, `${file} is 64-bit`);
  assert.equal(header[5], 1, `${file} is little-endian`);
  return header.readUInt16LE(18);
}

/** Every `.node` file under a folder. */
function nativeModules(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.node')).map((f) => path.join(dir, f));
}

function sizeOf(dir: string): number {
  if (!existsSync(dir)) return 0;
  return (readdirSync(dir, { recursive: true }) as string[]).reduce((sum, f) => {
    const stat = statSync(path.join(dir, f));
    return stat.isFile() ? sum + stat.size : sum;
  }, 0);
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

test('each arm64 bundle ships the aarch64 argon2 binary exactly when its function hashes passwords', () => {
  const synthesized = synthLatch({ bundle: true });
  const rows: Array<Record<string, string>> = [];
  const shipsList: string[] = [];
  for (const name of [...LATCH_FUNCTIONS, 'key-generator']) {
    const logicalId =
      name === 'key-generator'
        ? synthesized.stack.getLogicalId(
            synthesized.stack.latch.signingKeys.node.findChild('KeyGenerator').node.findChild('Function').node.defaultChild as import('aws-cdk-lib').CfnElement,
          )
        : synthesized.functionLogicalId(name);
    const dir = assetDirOf(synthesized, logicalId);
    const argon2 = name !== 'key-generator' && accessOf(name).argon2;
    const modules = path.join(dir, 'node_modules');
    const binaries = nativeModules(modules);
    if (argon2) {
      const expected = path.join(modules, argon2BinaryPackage('arm64'), argon2BinaryFile('arm64'));
      assert.deepEqual(binaries, [expected], `${name}: exactly the arm64 binary`);
      assert.equal(elfMachine(expected), ELF_MACHINE.arm64, `${name}: e_machine is aarch64 (0xB7)`);
      assert.ok(existsSync(path.join(modules, '@node-rs/argon2/index.js')), `${name}: the JS wrapper`);
      const wrapper = JSON.parse(readFileSync(path.join(modules, '@node-rs/argon2/package.json'), 'utf8')) as { optionalDependencies: Record<string, string> };
      const binary = JSON.parse(readFileSync(path.join(modules, argon2BinaryPackage('arm64'), 'package.json'), 'utf8')) as { version: string };
      assert.equal(binary.version, wrapper.optionalDependencies[argon2BinaryPackage('arm64')], `${name}: binary and wrapper versions match`);
    } else {
      assert.equal(existsSync(modules), false, `${name}: no node_modules, so no argon2`);
    }
    // The breached-password list ships beside the bundle of every function that sets passwords, and only there.
    const list = path.join(dir, BREACHED_PASSWORDS_ASSET);
    assert.equal(existsSync(list), argon2, `${name}: ${argon2 ? 'ships' : 'does not ship'} ${BREACHED_PASSWORDS_ASSET}`);
    if (argon2) assert.equal(loadBreachedPasswords(list).entries, statSync(list).size / 8 - 2, `${name}: a readable list`);
    if (existsSync(list)) shipsList.push(name);
    // The common-password list beside it, byte for byte the repository's, and read from there.
    const common = path.join(dir, COMMON_PASSWORDS_ASSET);
    assert.equal(existsSync(common), argon2, `${name}: ${argon2 ? 'ships' : 'does not ship'} ${COMMON_PASSWORDS_ASSET}`);
    if (argon2) {
      assert.deepEqual(readFileSync(common), readFileSync(commonPasswordsFile({})), `${name}: the common list as built`);
      assert.equal(loadCommonPasswords(common).has('password1'), true, `${name}: a readable common list`);
    }

    const bundle = path.join(dir, 'index.mjs');
    const code = readFileSync(bundle, 'utf8');
    assert.ok(code.includes('__latchCreateRequire'), `${name}: ESM with the createRequire banner`);
    // The SDK clients are bundled, minified (faster to load than the runtime's copy: docs/benchmarks.md, row 6): never imported from the runtime.
    assert.doesNotMatch(code, /from\s*["']@aws-sdk\//, `${name}: bundles the AWS SDK clients instead of importing the runtime's`);
    const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sourcesContent?: unknown; sources?: string[] };
    assert.equal(map.sourcesContent, undefined, `${name}: source map without sources`);
    // `@simplewebauthn/server` only in `passkeys` (docs/specs/mfa-and-passkeys.md §13: the recorded bundle exception).
    const webauthn = (map.sources ?? []).some((source) => source.includes('@simplewebauthn/server'));
    assert.equal(webauthn, name === 'passkeys', `${name}: ${name === 'passkeys' ? 'bundles' : 'must not bundle'} @simplewebauthn/server`);
    rows.push({
      function: name,
      'index.mjs': kib(statSync(bundle).size),
      'index.mjs (bytes)': String(statSync(bundle).size),
      'source map': kib(statSync(`${bundle}.map`).size),
      node_modules: kib(sizeOf(modules)),
      argon2: argon2 ? 'arm64' : '-',
    });
  }
  // Exactly the functions that set or check a password (spec §7.1), the six of the route table.
  // oauth (social sign-in) checks step-up passwords.
  assert.deepEqual(shipsList.sort(), ['account', 'admin-users', 'invitations', 'mfa', 'oauth', 'passkeys', 'password-reset', 'registration', 'session']);
  console.log(`bundle sizes (synth with bundling took ${(synthesized.elapsedMs / 1000).toFixed(1)} s):`);
  console.table(rows);
});

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; headers?: Record<string, string>; body?: string }>;

/** Imports a function's bundle (its module scope builds the deps, as a cold start does). */
async function importBundle(synthesized: Synthesized, name: string): Promise<{ handler: Handler }> {
  const dir = assetDirOf(synthesized, synthesized.functionLogicalId(name));
  return (await import(pathToFileURL(path.join(dir, 'index.mjs')).href)) as { handler: Handler };
}

function httpEvent(routeKey: string, rawPath: string): unknown {
  const method = routeKey === '$default' ? 'GET' : routeKey.split(' ')[0];
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { http: { method, path: rawPath, sourceIp: '127.0.0.1' }, requestId: 'r1' },
  };
}

const lambdaContext = { awsRequestId: 'r1', functionName: 'bundle-test', getRemainingTimeInMillis: () => 10000 };

test('every bundle loads as ESM on Node, and not-found and well-known answer from their bundles', async () => {
  const synthesized = synthLatch({ bundle: true });
  // argon2's wrapper resolves from the project's node_modules here.
  const shim = path.join(synthesized.outdir, 'node_modules');
  if (!existsSync(shim)) symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), shim, 'dir');
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    LATCH_TABLE_NAME: 'unused',
    LATCH_SIGNING_KEYS: JSON.stringify({ keys: [await generateStoredKey('bundle-test')] }),
    APP_URL: 'https://app.example.com',
    AUTH_ISSUER: 'https://api.example.com',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // Node 20 runs this test; the functions run on Node 22.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  for (const name of LATCH_FUNCTIONS) {
    const { handler } = await importBundle(synthesized, name);
    assert.equal(typeof handler, 'function', name);
  }

  const notFound = await (await importBundle(synthesized, 'not-found')).handler(httpEvent('$default', '/nowhere'), lambdaContext);
  assert.equal(notFound.statusCode, 404);
  assert.match(notFound.headers?.['content-type'] ?? notFound.headers?.['Content-Type'] ?? '', /application\/problem\+json/);
  assert.equal((JSON.parse(notFound.body ?? '{}') as { code?: string }).code, 'not_found');

  const jwks = await (await importBundle(synthesized, 'well-known')).handler(httpEvent('GET /.well-known/jwks.json', '/.well-known/jwks.json'), lambdaContext);
  assert.equal(jwks.statusCode, 200);
  const body = JSON.parse(jwks.body ?? '{}') as { keys?: Array<Record<string, unknown>> };
  assert.equal(body.keys?.[0]?.kid, 'bundle-test');
  assert.equal(body.keys?.[0]?.d, undefined);
});

test('an x86_64 function gets the x86-64 binary, and argon2 loads from the bundle and hashes', {
  skip: process.platform !== 'linux' || process.arch !== 'x64' ? 'needs a Linux x64 machine to load the x64 binary' : false,
}, async () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'latch-x64-'));
  extraDirs.push(outdir);
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'X64');
  const fn = new LatchFunction(stack, 'Hasher', { entry: 'functions/session.ts', argon2: true, architecture: lambda.Architecture.X86_64 });
  const template = app.synth().getStackArtifact(stack.artifactId).template as { Resources: Record<string, { Properties?: { Code?: { S3Key?: string } } }> };
  const key = template.Resources[stack.getLogicalId(fn.function.node.defaultChild as import('aws-cdk-lib').CfnElement)]?.Properties?.Code?.S3Key;
  const dir = path.join(outdir, `asset.${key?.replace(/\.zip$/, '')}`);
  const binaries = nativeModules(path.join(dir, 'node_modules'));
  assert.deepEqual(binaries, [path.join(dir, 'node_modules', argon2BinaryPackage('x64'), argon2BinaryFile('x64'))]);
  assert.equal(elfMachine(binaries[0] as string), ELF_MACHINE.x64);

  // Resolve argon2 the way the bundle does on Lambda: from index.mjs's folder, nowhere else.
  const requireFromBundle = createRequire(path.join(dir, 'index.mjs'));
  assert.ok(requireFromBundle.resolve('@node-rs/argon2').startsWith(dir));
  const argon2 = requireFromBundle('@node-rs/argon2') as typeof import('@node-rs/argon2');
  const hash = await argon2.hash('correct horse battery staple', { memoryCost: 19456, timeCost: 2, parallelism: 1 });
  assert.equal(await argon2.verify(hash, 'correct horse battery staple'), true);
  assert.equal(await argon2.verify(hash, 'wrong'), false);
});

test('a hooks module is bundled next to each handler (named by LATCH_HOOKS_MODULE) and extra files are copied', async () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'latch-hooks-'));
  extraDirs.push(outdir);
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Hooks');
  const fn = new LatchFunction(stack, 'WithHooks', {
    entry: 'functions/not-found.ts',
    hooksModule: 'test/infra/fixtures/hooks.ts',
    files: { 'templates.json': 'test/infra/fixtures/mail-templates.json' },
  });
  const template = app.synth().getStackArtifact(stack.artifactId).template as {
    Resources: Record<string, { Properties?: { Code?: { S3Key?: string }; Environment?: { Variables?: Record<string, string> } } }>;
  };
  const properties = template.Resources[stack.getLogicalId(fn.function.node.defaultChild as import('aws-cdk-lib').CfnElement)]?.Properties;
  assert.equal(properties?.Environment?.Variables?.LATCH_HOOKS_MODULE, HOOKS_BUNDLE);
  const dir = path.join(outdir, `asset.${properties?.Code?.S3Key?.replace(/\.zip$/, '')}`);
  const hooks = (await import(pathToFileURL(path.join(dir, HOOKS_BUNDLE)).href)) as { default: { tokenClaims: (ctx: unknown) => Promise<unknown> } };
  assert.deepEqual(await hooks.default.tokenClaims({ user: { email: 'ada@example.com' }, sessionId: 's' }), { tenant: 'example.com' });
  // Extra files (mail templates) are copied as they are.
  assert.equal(
    readFileSync(path.join(dir, 'templates.json'), 'utf8'),
    readFileSync(path.join(PROJECT_ROOT, 'test/infra/fixtures/mail-templates.json'), 'utf8'),
  );
  // Bundling runs in the constructor: a wrong path fails synth with its name.
  assert.throws(
    () => new LatchFunction(stack, 'Missing', { entry: 'functions/not-found.ts', hooksModule: 'nowhere.ts' }),
    /hooksModule nowhere\.ts does not exist/,
  );
});

test('the hosted-UI functions (ui, oauth2-token) do not bundle @simplewebauthn/server: the pages manage passkeys without the ceremonies', async () => {
  const { build } = await import('esbuild');
  for (const name of hostedUiFunctions()) {
    const result = await build({
      entryPoints: [path.join(PROJECT_ROOT, 'functions', `${name}.ts`)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      external: ['@node-rs/argon2', '@aws-sdk/*'],
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile?.inputs ?? {});
    assert.ok(inputs.length > 0, name);
    assert.ok(!inputs.some((input) => input.includes('@simplewebauthn/server')), `${name} must not bundle @simplewebauthn/server`);
  }
});

/** The repository files and packages each function's bundle takes in (esbuild's metafile, the SDK external as the size goal counts it). */
async function bundleInputs(name: string): Promise<string[]> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [path.join(PROJECT_ROOT, 'functions', `${name}.ts`)],
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    write: false,
    metafile: true,
    external: ['@node-rs/argon2', '@aws-sdk/*'],
    logLevel: 'silent',
  });
  // Only inputs that put bytes into the output (a module tree-shaken away is not in the bundle).
  const output = Object.values(result.metafile?.outputs ?? {})[0];
  return Object.entries(output?.inputs ?? {})
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([input]) => input);
}

test('what each bundle carries (issue 17, row 6): mail rendering only in the mail sender, no store or request schemas in not-found and the authorizer', async () => {
  const names = [...functionNames(), 'not-found', 'authorizer', 'mail-sender', 'ses-feedback'];
  const carries = new Map<string, string[]>();
  for (const name of names) carries.set(name, await bundleInputs(name));
  const withInput = (part: string) => names.filter((name) => carries.get(name)?.some((input) => input.includes(part))).sort();
  // Mail is queued as data and rendered by the sender (docs/mail.md): the templates only there.
  assert.deepEqual(withInput('shared/mail/templates.ts'), ['mail-sender']);
  // The message formatter and the catalogues: the sender's mails and the pages, nowhere else. The
  // pages' passkey endpoints (in passkeys) answer JSON and need only the cookie-level context
  // (shared/ui/ui-session.ts), not the pages' toolkit.
  assert.deepEqual(withInput('node_modules/intl-messageformat/'), ['mail-sender', 'ui']);
  assert.deepEqual(withInput('shared/ui/i18n.ts'), ['mail-sender', 'ui']);
  assert.deepEqual(withInput('shared/ui/render.ts'), ['ui']);
  // The catch-all answers 404/405 from the route table and the configuration alone; the
  // authorizer reads one session item. Neither carries the store's write plans or zod.
  for (const small of ['not-found', 'authorizer', 'ses-feedback']) {
    const inputs = carries.get(small) ?? [];
    for (const part of ['shared/adapters/dynamodb/write-plan.ts', 'node_modules/zod/', 'shared/http/route-docs.ts', 'shared/runtime/lambda-deps.ts']) {
      assert.ok(!inputs.some((input) => input.includes(part)), `${small} must not bundle ${part}`);
    }
  }
});

// --- lean2 (issue 17, row 6): metrics without Powertools' metrics library ---
test('metrics are written as EMF lines by shared/adapters/metrics/emf.ts: @aws-lambda-powertools/metrics is in no bundle', async () => {
  for (const name of [...functionNames(), 'not-found', 'authorizer', 'mail-sender', 'ses-feedback']) {
    const inputs = await bundleInputs(name);
    assert.ok(
      !inputs.some((input) => input.includes('node_modules/@aws-lambda-powertools/metrics/')),
      `${name} must not bundle @aws-lambda-powertools/metrics`,
    );
  }
});

/** A function's bundle as CDK builds it without the SDK (minified), its text and the inputs that put bytes into it. */
async function bundleText(name: string): Promise<{ text: string; inputs: string[] }> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [path.join(PROJECT_ROOT, 'functions', `${name}.ts`)],
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    write: false,
    outfile: 'out.mjs',
    metafile: true,
    external: ['@node-rs/argon2', '@aws-sdk/*'],
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile?.outputs ?? {})[0];
  const inputs = Object.entries(output?.inputs ?? {})
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([input]) => input.split(path.sep).join('/'));
  return { text: result.outputFiles?.[0]?.text ?? '', inputs };
}

test('each bundle carries the write plan of every op its code writes, and no family it does not write (issue 17, row 6)', async () => {
  const { CORE_WRITE_PLANS } = await import('../../shared/adapters/dynamodb/write-plan.js');
  const { ALL_WRITE_PLANS } = await import('../../shared/adapters/dynamodb/write-plans.js');
  const families: Record<string, readonly string[]> = {
    'shared/adapters/dynamodb/write-plan-mfa.ts': Object.keys((await import('../../shared/adapters/dynamodb/write-plan-mfa.js')).MFA_WRITE_PLANS),
    'shared/adapters/dynamodb/write-plan-passkeys.ts': Object.keys(
      (await import('../../shared/adapters/dynamodb/write-plan-passkeys.js')).PASSKEYS_WRITE_PLANS,
    ),
    'shared/adapters/dynamodb/write-plan-oauth.ts': Object.keys((await import('../../shared/adapters/dynamodb/write-plan-oauth.js')).OAUTH_WRITE_PLANS),
    'shared/adapters/dynamodb/write-plan-oauth2.ts': Object.keys((await import('../../shared/adapters/dynamodb/write-plan-oauth2.js')).OAUTH2_WRITE_PLANS),
  };
  const familyOf = new Map(Object.entries(families).flatMap(([file, ops]) => ops.map((op) => [op, file] as const)));
  // Every op of the port is in the core or in exactly one family.
  assert.deepEqual(
    Object.keys(ALL_WRITE_PLANS).filter((op) => !(op in CORE_WRITE_PLANS) && !familyOf.has(op)),
    [],
  );
  for (const name of [...functionNames(), 'not-found', 'authorizer', 'mail-sender', 'ses-feedback']) {
    const { text, inputs } = await bundleText(name);
    // The ops the bundle's code writes: each op object its flows build, `type:"<op>"` in the output (tree shaking has run;
    // the plan tables are keyed by op name, not built as op objects).
    const written = Object.keys(ALL_WRITE_PLANS).filter((op) => text.includes(`type:"${op}"`));
    const needed = new Set(written.filter((op) => !(op in CORE_WRITE_PLANS)).map((op) => familyOf.get(op)));
    const carried = Object.keys(families).filter((file) => inputs.includes(file));
    assert.deepEqual(carried.sort(), [...needed].sort(), `${name}: the write-plan families it carries are those of the ops it writes (${written.join(', ')})`);
    assert.ok(!inputs.includes('shared/adapters/dynamodb/write-plans.ts'), `${name} must not bundle every plan (write-plans.ts)`);
  }
});
test('the documentation-only schemas (query strings, the hand-off form) are only in well-known, which serves /openapi.json (issue 17, row 6)', async () => {
  const names = [...functionNames(), 'not-found', 'authorizer', 'mail-sender', 'ses-feedback'];
  const carrying: string[] = [];
  for (const name of names) if ((await bundleInputs(name)).some((input) => input.includes('shared/http/doc-schemas.ts'))) carrying.push(name);
  assert.deepEqual(carrying, ['well-known']);
});
test('the audit log reader, the data-key ring and the attempt counters are only in the bundles whose code uses them; the SES mailer only in the mail sender (issue 17, row 6)', async () => {
  for (const name of [...functionNames(), 'not-found', 'authorizer', 'mail-sender', 'ses-feedback']) {
    const { text, inputs } = await bundleText(name);
    assert.equal(
      inputs.includes('shared/adapters/ses/mailer.ts'),
      name === 'mail-sender',
      `${name}: the SES mailer only in the mail sender (flows queue mail)`,
    );
    // Used: a `deps.auditLog.…` / `deps.dataKeys.…` call left after tree shaking. Carried: the adapter's own code
    // (its audit-table query range; AES-256-GCM), which only the composition in optional-adapters.ts brings in.
    assert.equal(text.includes('BETWEEN :from AND :to'), text.includes('.auditLog.'), `${name}: carries DynamoDbAuditLog iff it reads the audit log`);
    assert.equal(text.includes('aes-256-gcm'), text.includes('.dataKeys.'), `${name}: carries the data-key ring iff it encrypts or decrypts with it`);
    assert.equal(
      text.includes('attribute_not_exists(#lockedUntil) AND #windowEnds = :windowEnds'),
      text.includes('.counters.'),
      `${name}: carries DynamoDbCounters iff it counts`,
    );
  }
});
// --- end lean2 ---

test('the common-password list is in no JS bundle (issue 17, row 6): a data file beside the bundles that set passwords, read on first use', async () => {
  const names = [...functionNames(), 'not-found', 'authorizer', 'mail-sender', 'ses-feedback'];
  for (const name of names) {
    // The decoder (shared/domain/common-passwords.ts, under 1 KB minified) is all of it a bundle may carry.
    const inputs = (await bundleInputs(name)).filter((input) => input.includes('common-passwords'));
    assert.ok(
      inputs.every((input) => input === 'shared/domain/common-passwords.ts'),
      `${name} must not bundle the common-password list: ${inputs.join(', ')}`,
    );
  }
});

test('the token check only in the functions with an authenticated route, from the route table (issue 17, row 6), and the authorizer; aws-jwt-verify with it', async () => {
  const names = [...functionNames(), 'not-found', 'authorizer', 'mail-sender', 'ses-feedback'];
  for (const name of names) {
    const inputs = await bundleInputs(name);
    const carries = inputs.includes('shared/flows/token-check.ts');
    const expected = name === 'authorizer' || ((functionNames() as string[]).includes(name) && needsTokenCheck(name as FunctionName));
    assert.equal(carries, expected, `${name}: ${expected ? 'checks tokens' : 'has no authenticated route and must not bundle the token check'}`);
    // The signature half (shared/ports/access-token-signature.ts): aws-jwt-verify wherever a token is checked (bench rows 1 and 5).
    assert.equal(
      inputs.includes('shared/adapters/jwt/aws-jwt-verify-signature.ts'),
      expected,
      `${name}: the aws-jwt-verify signature adapter where a token is checked`,
    );
  }
});

test('the settings documentation (shared/settings-docs.ts) is in no JS bundle (issue 17, row 6): the runtime table keeps name, parsing and default', async () => {
  const names = [...functionNames(), 'not-found', 'authorizer', 'mail-sender', 'ses-feedback'];
  for (const name of names) {
    const inputs = await bundleInputs(name);
    assert.ok(!inputs.includes('shared/settings-docs.ts'), `${name} must not bundle the settings documentation`);
  }
});

test('construct metadata and documentation text beside the runtime tables are in no JS bundle (issue 17, row 6): settings-props.ts, audit-docs.ts; problem-docs.ts only in well-known', async () => {
  const names = [...functionNames(), 'not-found', 'authorizer', 'mail-sender', 'ses-feedback'];
  for (const name of names) {
    const inputs = await bundleInputs(name);
    assert.ok(!inputs.includes('shared/settings-props.ts'), `${name} must not bundle the settings' construct props`);
    assert.ok(!inputs.includes('shared/domain/audit-docs.ts'), `${name} must not bundle the audit catalogue's text`);
    assert.equal(inputs.includes('shared/domain/problem-docs.ts'), name === 'well-known', `${name}: problem-docs.ts (the OpenAPI document's text)`);
  }
});

test('the route summaries are documentation, not runtime (issue 17, row 6): route-docs.ts only in well-known (it serves /openapi.json), page-docs.ts in no bundle', async () => {
  const names = [...functionNames(), 'not-found', 'authorizer', 'mail-sender', 'ses-feedback'];
  for (const name of names) {
    const inputs = await bundleInputs(name);
    assert.equal(inputs.includes('shared/http/route-docs.ts'), name === 'well-known', `${name}: route-docs.ts`);
    assert.ok(!inputs.includes('shared/http/page-docs.ts'), `${name} must not bundle the page summaries`);
  }
});

// --- lean3 (issue 17, row 6): configuration sections (`ConfigSections`, shared/config.ts) ---
test('the settings whose parsers weigh (providers, hand-off clients, theme) are parsed only by the bundles that read them (issue 17, row 6)', async () => {
  // A section's parser, by a message only it carries; a read, by the property path left after minifying.
  const sections = [
    { parser: 'AUTH_OAUTH_PROVIDERS must be a JSON array', reads: ['.config.oauthProviders'], functions: ['oauth', 'ui'] },
    { parser: 'AUTH_UI_CLIENTS must be a JSON array', reads: ['.ui.clients'], functions: ['oauth2-token', 'ui'] },
    { parser: 'fail WCAG contrast', reads: ['.ui.cssVariables', '.ui.logoUrl'], functions: ['ui'] },
  ];
  const carrying = sections.map(() => [] as string[]);
  for (const name of [...functionNames(), 'not-found', 'authorizer', 'mail-sender', 'ses-feedback']) {
    const { text } = await bundleText(name);
    sections.forEach((section, i) => {
      const carries = text.includes(section.parser);
      // Reading a section the entry did not compose would be a 503 at run time.
      for (const read of section.reads) if (text.includes(read)) assert.ok(carries, `${name} reads ${read} and must compose its section`);
      if (carries) carrying[i]?.push(name);
    });
  }
  // `oauth` reads its providers through the relying party WITH_OAUTH composes with them; the
  // construct sets AUTH_OAUTH_PROVIDERS on exactly these two (infra/constructs/latch-auth.ts).
  for (const [i, section] of sections.entries()) assert.deepEqual(carrying[i]?.sort(), section.functions, section.parser);
});

test('the breached and common password lists are composed only by the bundles whose flows check passwords against them (issue 17, row 6)', async () => {
  const composing: string[] = [];
  for (const name of [...functionNames(), 'not-found', 'authorizer', 'mail-sender', 'ses-feedback']) {
    const { text } = await bundleText(name);
    // Used: the policy or the sign-in check passing `deps.commonPasswords`. Carried: the breached list's decoder (its magic).
    const uses = text.includes('.commonPasswords');
    assert.equal(text.includes('"LBP1"'), uses, `${name}: carries the list adapters iff a flow checks the lists`);
    if (uses) composing.push(name);
  }
  // Each ships the list files beside its bundle (argon2 functions, infra/constructs/function-access.ts).
  for (const name of composing) if (name !== 'ui') assert.ok(accessOf(name as FunctionName).argon2, `${name} checks the lists and must ship them`);
});

test("the hosted UI's rows of the route table (shared/http/hosted-ui-routes.ts) only in the bundles that serve, match or document them: ui, not-found, well-known (issue 17, row 6)", async () => {
  const names = [...functionNames(), 'not-found', 'authorizer', 'mail-sender', 'ses-feedback'];
  const carrying: string[] = [];
  for (const name of names) if ((await bundleInputs(name)).includes('shared/http/hosted-ui-routes.ts')) carrying.push(name);
  // ui serves them, not-found answers 404/405 from every row, well-known documents the hand-off's token endpoint in /openapi.json.
  assert.deepEqual(carrying.sort(), ['not-found', 'ui', 'well-known']);
});

test('the key ring (with jose) only in the bundles of the functions the construct gives key access (issue 17, row 6)', async () => {
  for (const name of functionNames()) {
    // The ring's keys are jose's (import, sign, export): jose is the weight the ring brings.
    const carries = (await bundleInputs(name)).some((input) => input.includes('node_modules/jose/'));
    assert.equal(carries, accessOf(name).keys !== 'none', `${name}: keys ${accessOf(name).keys}`);
  }
});

test('zod/mini and the request schemas only in the bundles of the functions with a JSON body route, and well-known (issue 17, row 6)', async () => {
  for (const name of [...functionNames(), 'not-found', 'authorizer', 'mail-sender', 'ses-feedback']) {
    const inputs = await bundleInputs(name);
    const carries = inputs.some((input) => input.includes('node_modules/zod/'));
    // well-known builds /openapi.json's JSON Schemas from them.
    const expected = name === 'well-known' || ((functionNames() as string[]).includes(name) && needsRequestSchemas(name as FunctionName));
    assert.equal(carries, expected, `${name}: ${expected ? 'checks bodies' : 'has no JSON body route and must not bundle zod'}`);
  }
});
// --- end lean3 ---
