/**
 * Statements of the docs that code decides, checked against the code: the mail template table,
 * the documented defaults the local runner must not contradict.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../../infra/constructs/latch-function.js';
import { loadConfig } from '../../shared/config.js';
import { TEMPLATE_PLACEHOLDERS } from '../../shared/mail/templates.js';

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');

/** The rows of a Markdown table whose first cell is a `code` name: name → the other cells. */
function tableRows(markdown: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    if (name && !rows.has(name)) rows.set(name, cells.slice(2, -1));
  }
  return rows;
}

test('docs/account-lifecycle.md documents every mail template with exactly its placeholders', () => {
  const rows = tableRows(read('docs/account-lifecycle.md'));
  for (const [template, placeholders] of Object.entries(TEMPLATE_PLACEHOLDERS)) {
    const row = rows.get(template);
    assert.ok(row, `${template} is not in the templates table`);
    const documented = [...(row[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    assert.deepEqual(documented.sort(), [...placeholders].sort(), template);
  }
});

test('AUTH_MAIL_FROM: the documented default is the one the functions use, locally too', () => {
  const fallback = loadConfig({}).mailFrom;
  for (const doc of ['README.md', 'docs/account-lifecycle.md']) {
    assert.equal(tableRows(read(doc)).get('AUTH_MAIL_FROM')?.[0], `\`${fallback}\``, doc);
  }
  // The local runner leaves it to that default (it sets no sender of its own).
  assert.doesNotMatch(read('infra/local/stack.ts'), /AUTH_MAIL_FROM:/);
});
