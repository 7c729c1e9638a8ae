import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../shared/config.js';

test('defaults match the contract', () => {
  const config = loadConfig({});
  assert.equal(config.requireEmailConfirmation, true);
  assert.equal(config.passwordMinLength, 8);
  assert.equal(config.accessTokenTtlSeconds, 900);
  assert.equal(config.sessionTtlSeconds, 86400);
  assert.equal(config.rememberMeTtlSeconds, 2592000);
  assert.equal(config.resetTokenTtlSeconds, 3600);
  assert.equal(config.confirmationTokenTtlSeconds, 172800);
  assert.equal(config.invitationTokenTtlSeconds, 604800);
  assert.equal(config.maxFailedSignIns, 10);
  assert.equal(config.lockoutSeconds, 900);
  assert.equal(config.invitations, 'any');
  assert.equal(config.appUrl, 'http://localhost:3000');
  assert.deepEqual(config.corsOrigins, ['http://localhost:3000']);
  assert.deepEqual(config.roles, ['user', 'admin']);
});

test('settings are read and validated', () => {
  const config = loadConfig({
    AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false',
    AUTH_PASSWORD_MIN_LENGTH: '15',
    APP_URL: 'https://app.example/',
    AUTH_ROLES: 'editor, viewer',
  });
  assert.equal(config.requireEmailConfirmation, false);
  assert.equal(config.passwordMinLength, 15);
  assert.equal(config.appUrl, 'https://app.example');
  assert.deepEqual(config.roles, ['user', 'admin', 'editor', 'viewer']);
});

test('a malformed setting fails fast with a plain Error naming it', () => {
  const bad: Array<Record<string, string>> = [
    { AUTH_PASSWORD_MIN_LENGTH: 'eight' },
    { AUTH_PASSWORD_MIN_LENGTH: '4' },
    { AUTH_REQUIRE_EMAIL_CONFIRMATION: 'yes please' },
    { APP_URL: 'not a url' },
    { APP_URL: 'javascript:alert(1)' },
    { AUTH_INVITATIONS: 'everyone' },
    { AUTH_ACCESS_TOKEN_TTL_SECONDS: '-5' },
  ];
  for (const env of bad) {
    const name = Object.keys(env)[0] as string;
    assert.throws(
      () => loadConfig(env),
      (error: unknown) => error instanceof Error && error.message.includes(name),
      name,
    );
  }
});
