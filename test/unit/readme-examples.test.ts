/**
 * The README's TypeScript examples compile: every ```ts block of README.md is written to a
 * temporary file (relative imports rewritten to point at the same files) and type-checked with
 * the project's tsconfig in one `tsc` run. A block marked ```ts fragment is skipped; keep those rare.
 *
 * docs/*.md are not checked: their examples are app code (React, Expo, Apollo) whose packages
 * this project does not install.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../infra/constructs/latch-function.js';

/** Markdown files whose ```ts blocks must compile. */
const CHECKED = ['README.md'];

interface Block {
  /** `README.md:185`: where the block's fence is. */
  where: string;
  code: string;
  /** The folder of the Markdown file: its relative imports start there. */
  baseDir: string;
}

/** The ```ts blocks of a Markdown text (without `fragment` ones), with the line of their fence. */
export function tsBlocks(markdown: string, file: string, baseDir: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const fence = /^```ts(x?)( .*)?$/.exec(lines[i] ?? '');
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && !(lines[i] ?? '').startsWith('```'); i += 1) body.push(lines[i] ?? '');
    if ((fence[2] ?? '').trim() === 'fragment') continue;
    blocks.push({ where: `${file}:${start + 1}`, code: body.join('\n'), baseDir });
  }
  return blocks;
}

/** Writes the blocks into `dir` and type-checks them; the errors by block. */
async function typeCheck(blocks: Block[], dir: string): Promise<Map<string, string[]>> {
  const names = blocks.map((block, index) => {
    const name = `block-${index}.ts`;
    // A relative import means the same file it means from the Markdown file's folder.
    const code = block.code.replace(/(from\s+|import\s*\(\s*)'(\.\.?\/[^']+)'/g, (_, lead: string, spec: string) => {
      const target = path.relative(dir, path.resolve(block.baseDir, spec)).split(path.sep).join('/');
      return `${lead}'${target.startsWith('.') ? target : `./${target}`}'`;
    });
    writeFileSync(path.join(dir, name), `${code}\nexport {};\n`);
    return name;
  });
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: path.relative(dir, path.join(PROJECT_ROOT, 'tsconfig.json')), include: names, compilerOptions: { noEmit: true } }),
  );
  const tsc = path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  let output = '';
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json'), '--pretty', 'false'], { cwd: dir });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
    if (!output.trim()) throw error;
  }
  const errors = new Map<string, string[]>();
  for (const line of output.split('\n').filter(Boolean)) {
    const match = /^(?:.*[\\/])?block-(\d+)\.ts\((\d+),\d+\): (.*)$/.exec(line);
    const block = match ? blocks[Number(match[1])] : undefined;
    const key = block ? block.where : 'elsewhere';
    const message = match ? `line ${match[2]} of the block: ${match[3]}` : line;
    errors.set(key, [...(errors.get(key) ?? []), message]);
  }
  return errors;
}

test('every ```ts block of the README type-checks with the project tsconfig (and a broken block is named)', async () => {
  const blocks = CHECKED.flatMap((file) => tsBlocks(readFileSync(path.join(PROJECT_ROOT, file), 'utf8'), file, path.dirname(path.join(PROJECT_ROOT, file))));
  assert.ok(blocks.length >= 2, 'the README has TypeScript examples');
  // The check itself: the mistake this test was written for (`me()` returns the user, not `{ user }`).
  const canary: Block = {
    where: 'canary:1',
    code: "import { LatchClient } from './client/index.js';\nconst { user } = await new LatchClient({ baseUrl: 'https://a.example' }).me();\nconsole.log(user);",
    baseDir: PROJECT_ROOT,
  };
  // Inside the repository, so the blocks see its node_modules (ignored by git: .latch/).
  mkdirSync(path.join(PROJECT_ROOT, '.latch'), { recursive: true });
  const dir = mkdtempSync(path.join(PROJECT_ROOT, '.latch', 'readme-examples-'));
  try {
    const errors = await typeCheck([...blocks, canary], dir);
    assert.ok(
      errors.get('canary:1')?.some((e) => e.includes("Property 'user' does not exist")),
      `the canary must fail: ${JSON.stringify([...errors])}`,
    );
    errors.delete('canary:1');
    const report = [...errors].map(([where, messages]) => `${where}\n  ${messages.join('\n  ')}`).join('\n');
    assert.equal(errors.size, 0, `README examples that do not compile:\n${report}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fragments are skipped and fence lines are reported', () => {
  const md = ['# x', '```ts', 'const a = 1;', '```', '```ts fragment', 'nope(', '```', '```sh', 'ls', '```'].join('\n');
  assert.deepEqual(
    tsBlocks(md, 'X.md', '/').map((b) => [b.where, b.code]),
    [['X.md:2', 'const a = 1;']],
  );
});
