import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAttributeDefinitions, readAttributes } from '../../shared/domain/attributes.js';
import { BadRequestError, ValidationError } from '../../shared/domain/errors.js';

const defs = parseAttributeDefinitions(
  JSON.stringify({
    displayName: { type: 'string', required: true, maxLength: 20 },
    tenant: { type: 'string', editableBy: 'admin', enum: ['acme', 'globex'] },
    newsletter: { type: 'boolean' },
    age: { type: 'number' },
  }),
);

test('declared attributes are read, unknown members ignored', () => {
  const values = readAttributes(defs, { displayName: 'Ann', newsletter: true, age: 42, other: 'x' }, { mode: 'create', actor: 'user' });
  assert.deepEqual(values, { displayName: 'Ann', newsletter: true, age: 42 });
});

test('required, length and enum rules answer 422; wrong types 400', () => {
  assert.throws(() => readAttributes(defs, {}, { mode: 'create', actor: 'user' }), (e) => e instanceof ValidationError && e.errors.displayName?.[0] === "can't be blank");
  assert.throws(() => readAttributes(defs, { displayName: 'x'.repeat(21) }, { mode: 'create', actor: 'user' }), ValidationError);
  assert.throws(() => readAttributes(defs, { displayName: 'A', tenant: 'initech' }, { mode: 'create', actor: 'admin' }), ValidationError);
  assert.throws(() => readAttributes(defs, { displayName: 42 }, { mode: 'create', actor: 'user' }), BadRequestError);
  assert.throws(() => readAttributes(defs, { displayName: 'A', age: Number.NaN }, { mode: 'create', actor: 'user' }), BadRequestError);
});

test('admin-only attributes cannot be changed by the user; updates need no required ones', () => {
  assert.deepEqual(readAttributes(defs, { newsletter: false }, { mode: 'update', actor: 'user' }), { newsletter: false });
  assert.throws(() => readAttributes(defs, { tenant: 'acme' }, { mode: 'update', actor: 'user' }), (e) => e instanceof ValidationError && Boolean(e.errors.tenant));
  assert.deepEqual(readAttributes(defs, { tenant: 'acme' }, { mode: 'update', actor: 'admin' }), { tenant: 'acme' });
});

test('malformed declarations fail fast', () => {
  for (const bad of ['nope', '[]', '{"email":{"type":"string"}}', '{"x":{"type":"date"}}', '{"Bad Name":{"type":"string"}}', '{"x":{"type":"string","editableBy":"anyone"}}']) {
    assert.throws(() => parseAttributeDefinitions(bad), Error, bad);
  }
  assert.deepEqual(parseAttributeDefinitions(undefined), {});
});
