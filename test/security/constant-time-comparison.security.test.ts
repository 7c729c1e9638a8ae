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

test('secrets, hashes and token ids are compared only in constant time in flows and adapters', () => {
  // A source scan: any ===/!== whose operand names a hash, secret, token or jti is a timing leak.
  const dirs = ['shared/flows', 'shared/domain', 'shared/http'];
  const offenders: string[] = [];
  for (const dir of dirs) {
    for (const file of readdirSync(new URL(`../../${dir}/`, import.meta.url))) {
      if (!file.endsWith('.ts')) continue;
      const source = readFileSync(new URL(`../../${dir}/${file}`, import.meta.url), 'utf8');
      source.split('\n').forEach((line, i) => {
        if (
          /(hash|secret|jti|renewalToken)\w*\s*[!=]==|[!=]==\s*\w*\.?(hash|secret|jti)\b/i.test(line) &&
          !/passwordHash|typeof|=== undefined|=== null|!== null|!== undefined/.test(line)
        ) {
          offenders.push(`${dir}/${file}:${i + 1}: ${line.trim()}`);
        }
      });
    }
  }
  assert.deepEqual(offenders, []);
});
