/**
 * `npm run generate:common-passwords`: derives the common-password list
 * (`shared/domain/common-passwords.bin`, a data file shipped beside the bundles that set passwords,
 * not JS) from `@zxcvbn-ts/language-common`. Run it after upgrading that package;
 * `test/unit/common-passwords.test.ts` fails until you do.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dictionary } from '@zxcvbn-ts/language-common';
import { COMMON_PASSWORDS_FILE_NAME } from '../../shared/adapters/breached-passwords/common.js';
import { commonPasswordEntries, encodeWordList } from '../../shared/domain/common-passwords.js';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The package's common-password list, as Latch keeps it. */
export function packageCommonPasswords(): string[] {
  const list = dictionary['passwords-common'];
  return commonPasswordEntries(Array.isArray(list) ? list : []);
}

function main(): void {
  const { version } = require('@zxcvbn-ts/language-common/package.json') as { version: string };
  const words = packageCommonPasswords();
  const bytes = encodeWordList(words);
  const file = path.join(root, 'shared', 'domain', COMMON_PASSWORDS_FILE_NAME);
  writeFileSync(file, bytes);
  console.log(`${path.relative(root, file)}: ${words.length} entries from @zxcvbn-ts/language-common ${version}, ${bytes.length} bytes`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
