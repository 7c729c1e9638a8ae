import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The layer rules of `docs/architecture.md`, enforced on the import graph: every `import`,
 * `export … from` and dynamic `import()` of every `.ts` file under `shared/` is resolved and
 * checked. Biome's `noRestrictedImports` matches module names, not resolved files, so a relative
 * `../adapters/...` would slip through it; walking the graph does not.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Rule {
  /** The importing files this rule covers (repo-relative, `/`-separated prefix). */
  from: string;
  /** Why the import is refused, or undefined when it is allowed. */
  refuse: (target: string, specifier: string) => string | undefined;
}

const inside = (file: string, folder: string) => file === folder || file.startsWith(`${folder}/`);

/** The rules, most specific first. `target` is the resolved repo-relative file, or the bare specifier of a package. */
const RULES: Rule[] = [
  {
    from: 'shared/domain',
    refuse: (target, specifier) => {
      if (specifier.startsWith('node:')) return undefined;
      if (inside(target, 'shared/domain')) return undefined;
      return 'shared/domain imports only itself and node: builtins';
    },
  },
  {
    from: 'shared/flows',
    refuse: (target) => (inside(target, 'shared/adapters') ? 'flows reach adapters through ports (deps), never directly' : undefined),
  },
  {
    from: 'shared',
    refuse: (target) => (inside(target, 'functions') ? 'shared/ never imports the Lambda handlers in functions/' : undefined),
  },
];

/** Module specifiers a source text imports (static, re-export and dynamic), comments excluded. */
function specifiersOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.push(match[1] as string);
  return found;
}

/** The repo-relative file a specifier names (`.js` → `.ts`), or the specifier itself for a package. */
function resolveSpecifier(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  return path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
}

/** Every violation in the given files (repo-relative path → source text). */
function violations(files: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [file, source] of Object.entries(files)) {
    for (const specifier of specifiersOf(source)) {
      const target = resolveSpecifier(file, specifier);
      for (const rule of RULES) {
        if (!inside(file, rule.from)) continue;
        const reason = rule.refuse(target, specifier);
        if (reason) found.push(`${file} imports ${specifier}: ${reason}`);
      }
    }
  }
  return found;
}

function sourcesUnder(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(path.join(root, folder), { recursive: true }) as string[]) {
    if (!entry.endsWith('.ts')) continue;
    const file = path.posix.join(folder, entry.split(path.sep).join('/'));
    files[file] = readFileSync(path.join(root, file), 'utf8');
  }
  return files;
}

test('import rules: shared/ never imports functions/, flows never import adapters, the domain imports only itself', () => {
  const files = sourcesUnder('shared');
  assert.ok(Object.keys(files).length > 50, 'the walk found the shared/ sources');
  assert.deepEqual(violations(files), []);
});

test('import rules: the checker catches each kind of violation (static, re-export, dynamic, type-only)', () => {
  const found = violations({
    'shared/flows/bad.ts': "import { x } from '../adapters/dynamodb/store.js';\nexport { y } from '../adapters/memory/store.js';",
    'shared/http/bad.ts': "import type { Handler } from '../../functions/session.js';",
    'shared/domain/bad.ts': "import { z } from 'zod';\nimport { Config } from '../config.js';\nconst m = await import('../ports/store.js');",
    'shared/runtime/bad.ts': "const h = await import('../../functions/authorizer.js');",
  });
  assert.equal(found.length, 7, found.join('\n'));
  assert.ok(found.some((v) => v.startsWith('shared/flows/bad.ts imports ../adapters/dynamodb/store.js')));
  assert.ok(found.some((v) => v.startsWith('shared/flows/bad.ts imports ../adapters/memory/store.js')));
  assert.ok(found.some((v) => v.startsWith('shared/http/bad.ts imports ../../functions/session.js')));
  assert.ok(found.some((v) => v.startsWith('shared/domain/bad.ts imports zod')));
  assert.ok(found.some((v) => v.startsWith('shared/domain/bad.ts imports ../config.js')));
  assert.ok(found.some((v) => v.startsWith('shared/domain/bad.ts imports ../ports/store.js')));
  assert.ok(found.some((v) => v.startsWith('shared/runtime/bad.ts imports ../../functions/authorizer.js')));
});

test('import rules: allowed imports pass (node: builtins in the domain, ports and domain from flows)', () => {
  const found = violations({
    'shared/domain/ok.ts': "import { createHash } from 'node:crypto';\nimport { messages } from './messages.js';",
    'shared/flows/ok.ts':
      "import type { AuthStore } from '../ports/store.js';\nimport { AuthError } from '../domain/errors.js';\n// import { x } from '../adapters/dynamodb/store.js';",
  });
  assert.deepEqual(found, []);
});
