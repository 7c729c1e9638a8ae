/**
 * Where the `@node-rs/argon2` native binary for a Lambda architecture comes from, and how it is
 * fetched without touching the network at synth time.
 *
 * `npm install` only installs the binary package for the machine it runs on (e.g. x64), while the
 * functions run on Linux arm64 by default. CDK's `nodeModules` bundling option would run `npm
 * install` at every synth, which needs the network and resolves for the host. Instead,
 * `scripts/fetch-argon2-binaries.ts` (the package's `prepare` script, so every `npm install`
 * runs it) packs the missing Linux binaries once into `.latch/vendor/` (git-ignored), checked
 * against the integrity recorded in `package-lock.json`, and the function construct copies the
 * right one into each bundle. This module has no aws-cdk-lib import so the install-time script
 * stays quick.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A Lambda architecture, as Node names it (`process.arch`). */
export type Argon2Architecture = 'arm64' | 'x64';

/** The JS wrapper package, kept external in every bundle and copied next to it. */
export const ARGON2_WRAPPER = '@node-rs/argon2';

/** Folder (relative to the project root) holding the fetched binaries as `node_modules/@node-rs/*`. */
export const ARGON2_VENDOR_DIR = '.latch/vendor';

/** Lambda runs Amazon Linux (glibc), so the `-gnu` builds; never the musl ones. */
export function argon2BinaryPackage(arch: Argon2Architecture): string {
  return `@node-rs/argon2-linux-${arch}-gnu`;
}

/** File name of the native module inside its binary package. */
export function argon2BinaryFile(arch: Argon2Architecture): string {
  return `argon2.linux-${arch}-gnu.node`;
}

/** ELF `e_machine` of each architecture (aarch64: 0xB7, x86-64: 0x3E). */
export const ELF_MACHINE: Record<Argon2Architecture, number> = { arm64: 0xb7, x64: 0x3e };

/** Where a bundle's argon2 comes from: folders relative to the project root, POSIX separators. */
export interface Argon2Sources {
  wrapperDir: string;
  binaryDir: string;
  binaryFile: string;
  version: string;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Where Node's resolution finds an installed package from the project root, relative to it with
 * POSIX separators: `node_modules/<name>` in the repository, or `../<name>` (hoisted) when Latch
 * is itself installed as a package in another app's `node_modules`. Defaults to the repository's
 * place when nothing is found.
 */
export function installedPackageDir(projectRoot: string, name: string): string {
  let dir = path.resolve(projectRoot);
  for (;;) {
    const candidate = path.basename(dir) === 'node_modules' ? path.join(dir, name) : path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return path.relative(projectRoot, candidate).split(path.sep).join('/');
    const parent = path.dirname(dir);
    if (parent === dir) return `node_modules/${name}`;
    dir = parent;
  }
}

/** The binary version the installed wrapper asks for (its `optionalDependencies`). */
export function wantedBinaryVersion(projectRoot: string, arch: Argon2Architecture): string {
  const wrapper = readJson(path.join(projectRoot, installedPackageDir(projectRoot, ARGON2_WRAPPER), 'package.json'));
  if (!wrapper) throw new Error(`${ARGON2_WRAPPER} is not installed: run \`npm install\``);
  const optional = (wrapper.optionalDependencies ?? {}) as Record<string, string>;
  return optional[argon2BinaryPackage(arch)] ?? String(wrapper.version);
}

function binaryDirIfValid(projectRoot: string, relDir: string, arch: Argon2Architecture, version: string): boolean {
  const pkg = readJson(path.join(projectRoot, relDir, 'package.json'));
  return pkg?.version === version && existsSync(path.join(projectRoot, relDir, argon2BinaryFile(arch)));
}

/**
 * Finds the wrapper and the binary package for `arch`: the installed one in `node_modules` if it
 * is the right version (an x64 machine has the x64 one), else the vendored one. Returns the
 * reason instead when the binary is missing, so synth can fail with a message that says what to run.
 */
export function locateArgon2(projectRoot: string, arch: Argon2Architecture): Argon2Sources | { missing: string } {
  const version = wantedBinaryVersion(projectRoot, arch);
  const pkg = argon2BinaryPackage(arch);
  const candidates = [installedPackageDir(projectRoot, pkg), `${ARGON2_VENDOR_DIR}/node_modules/${pkg}`];
  const binaryDir = candidates.find((dir) => binaryDirIfValid(projectRoot, dir, arch, version));
  if (!binaryDir) {
    return {
      missing:
        `The argon2 native binary for Linux ${arch} (${pkg}@${version}) is missing, so the bundles of the ` +
        'functions that hash passwords cannot be built. Run `npm run vendor:argon2` (it needs the npm ' +
        `registry once) and synth again. Looked in: ${candidates.join(', ')}.`,
    };
  }
  return { wrapperDir: installedPackageDir(projectRoot, ARGON2_WRAPPER), binaryDir, binaryFile: argon2BinaryFile(arch), version };
}

/** `sha512-<base64>` of a file, the form `package-lock.json` records. */
function integrityOf(file: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/** The integrity `package-lock.json` records for an optional binary package, if any. */
function lockedIntegrity(projectRoot: string, pkg: string, version: string): string | undefined {
  const lock = readJson(path.join(projectRoot, 'package-lock.json'));
  const entry = (lock?.packages as Record<string, { version?: string; integrity?: string }> | undefined)?.[`node_modules/${pkg}`];
  return entry?.version === version ? entry.integrity : undefined;
}

/** How to run npm: the npm that runs this script (lifecycle scripts get `npm_execpath`), else `npm`. */
function runNpm(args: string[], cwd: string): string {
  const npmCli = process.env.npm_execpath;
  if (npmCli?.endsWith('.js')) return execFileSync(process.execPath, [npmCli, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
}

/** What {@link vendorArgon2Binary} did. */
export type VendorResult = 'installed' | 'vendored' | 'fetched';

/**
 * Makes sure the Linux binary for `arch` is available to bundles: does nothing when
 * `node_modules` or `.latch/vendor` already has the right version (quick, offline), otherwise
 * `npm pack`s it, checks the tarball against `package-lock.json`'s integrity and extracts it with
 * the system's `tar` into `.latch/vendor/node_modules/`. Throws when npm or the check fails.
 */
export function vendorArgon2Binary(projectRoot: string, arch: Argon2Architecture): VendorResult {
  const version = wantedBinaryVersion(projectRoot, arch);
  const pkg = argon2BinaryPackage(arch);
  if (binaryDirIfValid(projectRoot, installedPackageDir(projectRoot, pkg), arch, version)) return 'installed';
  const target = path.join(projectRoot, ARGON2_VENDOR_DIR, 'node_modules', pkg);
  if (binaryDirIfValid(projectRoot, path.relative(projectRoot, target), arch, version)) return 'vendored';

  const work = mkdtempSync(path.join(tmpdir(), 'latch-argon2-'));
  try {
    const packed = JSON.parse(runNpm(['pack', `${pkg}@${version}`, '--json', '--pack-destination', work], work)) as Array<{ filename: string }>;
    const tarball = path.join(work, packed[0]?.filename ?? readdirSync(work).find((f) => f.endsWith('.tgz')) ?? 'missing.tgz');
    const expected = lockedIntegrity(projectRoot, pkg, version);
    // npm pack already checks the registry's integrity; the lockfile check also pins it to what
    // the project reviewed, so a re-published or tampered tarball is refused.
    if (expected && integrityOf(tarball) !== expected) {
      throw new Error(`${pkg}@${version}: tarball integrity does not match package-lock.json`);
    }
    execFileSync('tar', ['-xzf', tarball, '-C', work], { stdio: 'ignore' });
    rmSync(target, { recursive: true, force: true });
    mkdirSync(path.dirname(target), { recursive: true });
    renameSync(path.join(work, 'package'), target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!binaryDirIfValid(projectRoot, path.relative(projectRoot, target), arch, version)) {
    throw new Error(`${pkg}@${version}: the extracted package has no ${argon2BinaryFile(arch)}`);
  }
  return 'fetched';
}
