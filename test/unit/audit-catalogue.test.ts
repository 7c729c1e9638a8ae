/**
 * The audit catalogue is documented and enforced: `docs/audit.md` lists every type of
 * `AUDIT_EVENTS` (its table is the generated one), and writing a detail key outside a type's
 * whitelist, or too much, is refused before anything is written.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../../infra/constructs/latch-function.js';
import { AUDIT_EVENTS, AuditDetailError, type AuditType, checkedDetails, MAX_AUDIT_STRING } from '../../shared/domain/audit.js';
import { auditOp, recordAudit } from '../../shared/flows/audit.js';
import { auditCatalogueMarkdown, CATALOGUE_END, CATALOGUE_START } from '../support/audit-docs.js';
import { memoryDeps } from '../support/memory.js';

const doc = readFileSync(path.join(PROJECT_ROOT, 'docs/audit.md'), 'utf8');
const types = Object.keys(AUDIT_EVENTS) as AuditType[];

test('docs/audit.md lists every audit event type, in the table generated from AUDIT_EVENTS', () => {
  const start = doc.indexOf(CATALOGUE_START);
  const end = doc.indexOf(CATALOGUE_END);
  assert.ok(start >= 0 && end > start, 'the catalogue markers are in docs/audit.md');
  const documented = doc.slice(start + CATALOGUE_START.length, end).trim();
  const rows = new Set([...documented.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]));
  for (const type of types) assert.ok(rows.has(type), `docs/audit.md does not list ${type}`);
  assert.deepEqual([...rows].sort(), [...types].sort(), 'the catalogue table lists a type that does not exist');
  assert.equal(
    documented,
    auditCatalogueMarkdown(),
    'regenerate: npx tsx -e "import(\'./test/support/audit-docs.ts\').then((m) => console.log(m.auditCatalogueMarkdown()))"',
  );
});

test('a detail key outside its type’s whitelist throws, for every type, and nothing is written', async () => {
  for (const type of types) {
    assert.throws(() => checkedDetails(type, { password: 'hunter2' }), AuditDetailError, type);
    assert.throws(() => checkedDetails(type, { email: 'ann@example.com' }), AuditDetailError, type);
    for (const key of AUDIT_EVENTS[type].details) assert.deepEqual(checkedDetails(type, { [key]: 'x' }), { [key]: 'x' });
  }
  const deps = await memoryDeps();
  const forged = { method: 'password', token: 'secret' } as unknown as { method: string };
  await assert.rejects(auditOp(deps, { type: 'sign_in', userId: null, details: forged }), AuditDetailError);
  await assert.rejects(recordAudit(deps, { type: 'sign_in', userId: null, details: forged }), AuditDetailError);
  assert.equal(deps.store.auditEvents.size, 0);
});

test('details are cut per string and refused over 1 KB or with values of another shape', () => {
  assert.equal((checkedDetails('sign_in', { method: 'x'.repeat(1000) }).method as string).length, MAX_AUDIT_STRING);
  assert.throws(() => checkedDetails('admin.user_updated', { fields: Array.from({ length: 10 }, () => 'f'.repeat(200)) }), AuditDetailError);
  assert.throws(() => checkedDetails('sign_in', { method: { nested: true } }), AuditDetailError);
});
