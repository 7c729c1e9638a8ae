import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { safeEqual } from '../../shared/domain/secrets.js';

test('safeEqual agrees with === on every input (property)', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), (a, b) => safeEqual(a, b) === (a === b)),
    { numRuns: 5000 },
  );
  fc.assert(fc.property(fc.string(), (a) => safeEqual(a, a)));
});

/** Every `.ts` file under the given folders, recursively (repo-relative paths). */
function sourcesUnder(dirs: string[]): string[] {
  const files: string[] = [];
  for (const dir of dirs) {
    for (const entry of readdirSync(new URL(`../../${dir}/`, import.meta.url), { recursive: true }) as string[]) {
      if (entry.endsWith('.ts')) files.push(`${dir}/${entry.split('\\').join('/')}`);
    }
  }
  return files;
}

test('secrets, hashes and token ids are compared only in constant time in flows, the domain, http and adapters', () => {
  // A source scan: any ===/!== whose operand names a hash, secret, token or jti is a timing leak.
  const dirs = ['shared/flows', 'shared/domain', 'shared/http', 'shared/ui', 'shared/adapters', 'functions'];
  const files = sourcesUnder(dirs);
  // The scan must cover the files that hold the comparisons (their paths moved once already).
  for (const named of ['shared/domain/secrets.ts', 'shared/flows/token-pair.ts', 'shared/flows/mail-tokens.ts', 'shared/adapters/memory/store.ts']) {
    assert.ok(files.includes(named), `the scan misses ${named}`);
  }
  // The in-memory twin of DynamoDB's `hash = :hash` condition: never deployed, and on AWS that
  // comparison happens inside DynamoDB, out of a caller's timing reach.
  const allowed = new Set(['shared/adapters/memory/store.ts']);
  const offenders: string[] = [];
  for (const file of files.filter((f) => !allowed.has(f))) {
    const source = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
    source.split('\n').forEach((line, i) => {
      if (
        /(hash|secret|jti|renewalToken)\w*\s*[!=]==|[!=]==\s*\w*\.?(hash|secret|jti)\b/i.test(line) &&
        !/passwordHash|typeof|=== undefined|=== null|!== null|!== undefined/.test(line)
      ) {
        offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  assert.deepEqual(offenders, []);
});

test('safeEqual, the comparison the scan asks for, is node:crypto timingSafeEqual', () => {
  const source = readFileSync(new URL('../../shared/domain/secrets.ts', import.meta.url), 'utf8');
  const body = source.slice(source.indexOf('export function safeEqual'));
  assert.ok(body.length > 0 && /timingSafeEqual\(/.test(body.slice(0, 600)), 'safeEqual must use timingSafeEqual');
});
