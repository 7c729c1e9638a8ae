/**
 * Private key reach: only the functions that sign access tokens can read the private signing
 * key; every other function that needs keys reads the public JWKS the key generator publishes.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { CfnElement } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { accessOf } from '../../infra/constructs/function-access.js';
import { PROJECT_ROOT } from '../../infra/constructs/latch-function.js';
import { functionNames, hostedUiFunctions } from '../../shared/http/routes.js';
import { synthLatch } from './synth.js';
import { actionsOf, referencesIn, roleOf, statementsOfRole } from './template.js';

const LATCH_FUNCTIONS = [...functionNames().filter((name) => !hostedUiFunctions().has(name)), 'not-found', 'authorizer'];

/** The secrets (by logical id) a function's role may read. */
function readableSecrets(name: string): Set<string> {
  const { json, functionLogicalId } = synthLatch();
  const readable = new Set<string>();
  for (const statement of statementsOfRole(json, roleOf(json, functionLogicalId(name)))) {
    if (!actionsOf(statement).some((a) => a.startsWith('secretsmanager:'))) continue;
    assert.deepEqual(actionsOf(statement), ['secretsmanager:GetSecretValue'], name);
    for (const id of referencesIn(statement.Resource)) readable.add(id);
  }
  return readable;
}

test('private key reach: exactly the signers may read the private key secret, every verifier only the public one', () => {
  const { stack } = synthLatch();
  const privateId = stack.getLogicalId(stack.latch.signingKeys.privateSecret.node.defaultChild as CfnElement);
  const publicId = stack.getLogicalId(stack.latch.signingKeys.publicSecret.node.defaultChild as CfnElement);
  const auditKeyId = stack.getLogicalId(stack.latch.auditKeySecret.node.defaultChild as CfnElement);
  const dataKeyId = stack.getLogicalId(stack.latch.signingKeys.dataKeySecret.node.defaultChild as CfnElement);
  const signers: string[] = [];
  for (const name of LATCH_FUNCTIONS) {
    const keys = accessOf(name).keys;
    const expected = keys === 'sign' ? [privateId] : keys === 'verify' ? [publicId] : [];
    // The audit key (audit-table-is-append-only.security.test.ts) and the data-key ring (latch-auth.test.ts) are the only other secrets a function reads.
    const signing = [...readableSecrets(name)].filter((id) => id !== auditKeyId && id !== dataKeyId);
    assert.deepEqual(signing, expected, `${name} (${keys})`);
    if (keys === 'sign') signers.push(name);
  }
  // Traced in code (token-pair.ts callers): sign-in (session), renewal (renewal), registration without confirmation, accepting an invitation,
  // the second step of a sign-in (mfa: POST /session/mfa), social sign-in (oauth: a provider sign-in or sign-up starts a
  // session) and passkey sign-in (passkeys).
  assert.deepEqual(signers.sort(), ['invitations', 'mfa', 'oauth', 'passkeys', 'registration', 'renewal', 'session']);
  for (const verifier of ['authorizer', 'well-known', 'sessions', 'account', 'admin-users']) assert.equal(accessOf(verifier).keys, 'verify', verifier);
});

test('private key reach: a function is a signer exactly when its bundle can reach signAccessToken', async () => {
  for (const name of LATCH_FUNCTIONS) {
    // Tree-shaken ESM bundle of the handler (packages left out): what the function can call.
    const result = await build({
      entryPoints: [path.join(PROJECT_ROOT, 'functions', `${name}.ts`)],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      packages: 'external',
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]?.text ?? '';
    const signs = /function signAccessToken\(/.test(code);
    assert.equal(
      signs,
      accessOf(name).keys === 'sign',
      `${name}: ${signs ? 'can sign' : 'never signs'} but function-access.ts says keys: '${accessOf(name).keys}'`,
    );
  }
});

test('private key reach: the key generator writes the two signing key secrets, the audit key secret and the data-key ring, and the custom resource names all four', () => {
  const { json, stack } = synthLatch();
  const { privateSecret, publicSecret, keyRing, dataKeySecret } = stack.latch.signingKeys;
  const ids = [privateSecret, publicSecret, stack.latch.auditKeySecret, dataKeySecret].map((s) => stack.getLogicalId(s.node.defaultChild as CfnElement));
  const properties = json.Resources[stack.getLogicalId(keyRing.node.defaultChild as CfnElement)]?.Properties ?? {};
  assert.deepEqual(referencesIn(properties.SecretArn), new Set([ids[0]]));
  assert.deepEqual(referencesIn(properties.PublicSecretArn), new Set([ids[1]]));
  assert.deepEqual(referencesIn(properties.AuditKeySecretArn), new Set([ids[2]]));
  assert.deepEqual(referencesIn(properties.DataKeySecretArn), new Set([ids[3]]));
  // The generator's role reads and writes exactly those four secrets.
  const generator = stack.latch.signingKeys.node.findChild('KeyGenerator').node.findChild('Function').node.defaultChild as CfnElement;
  const secretStatements = statementsOfRole(json, roleOf(json, stack.getLogicalId(generator))).filter((st) =>
    actionsOf(st).some((a) => a.startsWith('secretsmanager:')),
  );
  assert.deepEqual(secretStatements.flatMap(actionsOf).sort(), ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']);
  assert.deepEqual(referencesIn(secretStatements.map((st) => st.Resource)), new Set(ids));
  // The private secret keeps the logical id it had before the signing-keys construct (no replacement on upgrade).
  assert.equal(ids[0], 'LatchSigningKeys71335226');
});
