/**
 * `npm run vendor:argon2`, also run by `npm install` (the root package's `prepare` script):
 * makes the Linux arm64 and x64 builds of `@node-rs/argon2` available to the CDK function
 * bundles, so `npx cdk synth` never needs the network. A build `npm install` already put in
 * `node_modules` (the machine's own, on Linux) is used as it is; only the others are fetched into
 * `.latch/vendor/`. Quick and offline when they are already there. See
 * `infra/constructs/argon2-vendor.ts`.
 *
 * An install without the registry does not fail here (the rest of the project works without
 * these binaries); synth then says what to run. `--strict` makes a failure exit 1.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Argon2Architecture, argon2BinaryPackage, vendorArgon2Binary } from '../infra/constructs/argon2-vendor.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const architectures: Argon2Architecture[] = ['arm64', 'x64'];

let failed = false;
for (const arch of architectures) {
  try {
    const result = vendorArgon2Binary(root, arch);
    if (result === 'fetched') console.log(`argon2: fetched ${argon2BinaryPackage(arch)} into .latch/vendor/`);
  } catch (error) {
    failed = true;
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    console.warn(`argon2: could not fetch ${argon2BinaryPackage(arch)} (${reason}). Run \`npm run vendor:argon2\` before \`cdk synth\`.`);
  }
}
if (failed && strict) process.exit(1);
