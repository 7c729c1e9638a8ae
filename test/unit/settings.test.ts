/**
 * One settings table (`shared/settings.ts`): `loadConfig`, the construct's environment, the
 * README's table and every environment read in the code are derived from it or held to it here.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { type LatchSettings, settingsEnvironment } from '../../infra/constructs/latch-auth-props.js';
import { loadConfig } from '../../shared/config.js';
import { PLATFORM_VARIABLES, SETTINGS, type SettingDefinition, type SettingName, settingOf } from '../../shared/settings.js';
import { SETTING_DOCS, settingsMarkdown } from '../../shared/settings-docs.js';
import { placementOf } from '../../shared/settings-props.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const declared = SETTINGS as readonly SettingDefinition[];

function sources(...folders: string[]): Array<{ file: string; text: string }> {
  const found: Array<{ file: string; text: string }> = [];
  for (const folder of folders) {
    for (const entry of readdirSync(path.join(root, folder), { recursive: true }) as string[]) {
      if (!entry.endsWith('.ts') || entry.includes('node_modules')) continue;
      const file = path.posix.join(folder, entry.split(path.sep).join('/'));
      found.push({ file, text: readFileSync(path.join(root, file), 'utf8') });
    }
  }
  return found;
}

test("one settings table: the README's table is the one generated from shared/settings.ts", () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const expected = settingsMarkdown();
  assert.ok(readme.includes(expected), `README.md's Configuration table differs from shared/settings.ts; it should read:\n\n${expected}`);
});

test('one settings table: every environment variable read in shared/, infra/ and functions/ is declared once', () => {
  const names = declared.map((s) => s.name);
  assert.equal(new Set(names).size, names.length, 'a name is declared twice');
  const known = new Set<string>([...names, ...PLATFORM_VARIABLES]);
  const reads = [/process\.env\.([A-Za-z_][A-Za-z0-9_]*)/g, /\benv\.([A-Z][A-Z0-9_]*)\b/g, /\benv\[['"]([A-Z_]+)['"]\]/g, /portFrom\('([A-Z_]+)'/g];
  // Names written as literals (the construct's and the local runner's environments, loadConfig's reads).
  const literals = /['"]((?:AUTH|LATCH)_[A-Z0-9_]+|APP_URL)['"]/g;
  const keys = /[{,\s]((?:AUTH|LATCH)_[A-Z0-9_]+|APP_URL):/g;
  const undeclared: string[] = [];
  let seen = 0;
  for (const { file, text } of sources('shared', 'infra', 'functions')) {
    if (file === 'shared/settings.ts') continue;
    for (const pattern of [...reads, literals, keys]) {
      for (const match of text.matchAll(pattern)) {
        seen += 1;
        if (!known.has(match[1] as string)) undeclared.push(`${file}: ${match[1]}`);
      }
    }
  }
  assert.ok(seen > 40, 'the scan found the reads');
  assert.deepEqual(undeclared, [], 'declare these in shared/settings.ts (or PLATFORM_VARIABLES)');
});

test('one settings table: no declared variable is stale (each is read or written somewhere)', () => {
  const text = sources('shared', 'infra', 'functions')
    .filter(({ file }) => file !== 'shared/settings.ts')
    .map(({ text }) => text)
    .join('\n');
  for (const { name } of declared) assert.ok(text.includes(name), `${name} is declared but never used`);
});

test('unknown AUTH_* names fail at cold start with a message naming the variable', () => {
  assert.throws(
    () => loadConfig({ AUTH_SESION_TTL_SECONDS: '3600' }),
    (error: unknown) => error instanceof Error && error.message.includes('AUTH_SESION_TTL_SECONDS') && error.message.includes('Unknown setting'),
  );
  // Other prefixes are not Latch's to judge (the platform's and the application's own variables).
  assert.doesNotThrow(() => loadConfig({ PATH: '/usr/bin', AWS_REGION: 'eu-west-1', MY_APP_SETTING: 'x' }));
});

test('related bounds: a session shorter than an access token, or remember-me shorter than a session, fails', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ AUTH_ACCESS_TOKEN_TTL_SECONDS: '3600', AUTH_SESSION_TTL_SECONDS: '600' }, 'AUTH_SESSION_TTL_SECONDS'],
    [{ AUTH_SESSION_TTL_SECONDS: '864000', AUTH_REMEMBER_ME_TTL_SECONDS: '86400' }, 'AUTH_REMEMBER_ME_TTL_SECONDS'],
  ];
  for (const [env, name] of cases) {
    assert.throws(
      () => loadConfig(env),
      (error: unknown) => error instanceof Error && error.message.startsWith(name),
      name,
    );
  }
  assert.equal(
    loadConfig({ AUTH_ACCESS_TOKEN_TTL_SECONDS: '600', AUTH_SESSION_TTL_SECONDS: '600', AUTH_REMEMBER_ME_TTL_SECONDS: '600' }).sessionTtlSeconds,
    600,
  );
});

test("one settings table: the construct's settings environment comes from the table and loadConfig reads it back", () => {
  const settings: Required<LatchSettings> = {
    requireEmailConfirmation: false,
    passwordMinLength: 12,
    accessTokenTtl: Duration.minutes(5),
    sessionTtl: Duration.hours(2),
    rememberMeTtl: Duration.days(10),
    resetTokenTtl: Duration.minutes(30),
    confirmationTokenTtl: Duration.days(1),
    invitationTokenTtl: Duration.days(3),
    maxFailedSignIns: 5,
    lockout: Duration.minutes(20),
    audience: 'my-api',
    roles: ['editor', 'viewer'],
    userAttributes: { plan: { type: 'string', editableBy: 'admin' } },
    passwordContextWords: ['Rocketship'],
    maxSessionsPerUser: 50,
    mailRecipientLimit: 3,
    mailRecipientWindow: Duration.minutes(30),
    breachedPasswordOnSignIn: 'block',
    auditRetention: Duration.days(90),
    mfa: 'off',
    maxFailedMfa: 7,
    totpIssuer: 'Example',
    totpGrace: Duration.seconds(5),
    totpEnrollmentTtl: Duration.minutes(15),
    reauthWindow: Duration.minutes(2),
    mfaChallengeTtl: Duration.minutes(3),
    mfaMaxAttempts: 4,
    aal2MaxAge: Duration.hours(12),
    authorizerMinAal: 'aal2',
    keyRingTtl: Duration.seconds(60),
    webauthnRpId: 'example.com',
    webauthnRpName: 'Example',
    webauthnOrigins: ['https://app.example.com'],
    webauthnChallengeTtl: Duration.minutes(4),
    webauthnMaxPasskeys: 10,
  };
  const environment = settingsEnvironment(settings);
  const withProp = declared.filter((s) => placementOf(s.name as SettingName).settingsProp).map((s) => s.name);
  assert.deepEqual(Object.keys(environment).sort(), [...withProp].sort());
  for (const name of Object.keys(environment)) assert.ok(settingOf(name), name);
  const config = loadConfig(environment);
  assert.equal(config.requireEmailConfirmation, false);
  assert.equal(config.passwordMinLength, 12);
  assert.equal(config.breachedPasswordOnSignIn, 'block');
  assert.equal(config.auditRetentionDays, 90);
  assert.equal(config.mfa, 'off');
  assert.equal(config.maxFailedMfa, 7);
  assert.equal(config.totpIssuer, 'Example');
  assert.equal(config.totpGraceSeconds, 5);
  assert.equal(config.totpEnrollmentTtlSeconds, 900);
  assert.equal(config.mfaChallengeTtlSeconds, 180);
  assert.equal(config.mfaMaxAttempts, 4);
  assert.equal(config.aal2MaxAgeSeconds, 43200);
  assert.equal(config.authorizerMinAal, 'aal2');
  assert.equal(config.reauthWindowSeconds, 120);
  assert.equal(config.keyRingTtlSeconds, 60);
  assert.equal(config.webauthnRpId, 'example.com');
  assert.deepEqual(config.webauthnOrigins, ['https://app.example.com']);
  assert.equal(config.webauthnChallengeTtlSeconds, 240);
  assert.equal(config.webauthnMaxPasskeys, 10);
  assert.equal(config.accessTokenTtlSeconds, 300);
  assert.equal(config.sessionTtlSeconds, 7200);
  assert.equal(config.rememberMeTtlSeconds, 864000);
  assert.equal(config.resetTokenTtlSeconds, 1800);
  assert.equal(config.confirmationTokenTtlSeconds, 86400);
  assert.equal(config.invitationTokenTtlSeconds, 259200);
  assert.equal(config.maxFailedSignIns, 5);
  assert.equal(config.lockoutSeconds, 1200);
  assert.equal(config.mailRecipientLimit, 3);
  assert.equal(config.mailRecipientWindowSeconds, 1800);
  assert.equal(config.audience, 'my-api');
  assert.deepEqual(config.roles, ['user', 'admin', 'editor', 'viewer']);
  assert.deepEqual(Object.keys(config.attributes), ['plan']);
  assert.deepEqual(settingsEnvironment({}), {});
});

test("one settings table: loadConfig's defaults are the table's", () => {
  const config = loadConfig({}) as unknown as Record<string, unknown>;
  const field: Record<string, string> = {
    AUTH_PASSWORD_MIN_LENGTH: 'passwordMinLength',
    AUTH_ACCESS_TOKEN_TTL_SECONDS: 'accessTokenTtlSeconds',
    AUTH_SESSION_TTL_SECONDS: 'sessionTtlSeconds',
    AUTH_REMEMBER_ME_TTL_SECONDS: 'rememberMeTtlSeconds',
    AUTH_RESET_TOKEN_TTL_SECONDS: 'resetTokenTtlSeconds',
    AUTH_CONFIRMATION_TOKEN_TTL_SECONDS: 'confirmationTokenTtlSeconds',
    AUTH_INVITATION_TOKEN_TTL_SECONDS: 'invitationTokenTtlSeconds',
    AUTH_MAX_FAILED_SIGN_INS: 'maxFailedSignIns',
    AUTH_LOCKOUT_SECONDS: 'lockoutSeconds',
    AUTH_REQUIRE_EMAIL_CONFIRMATION: 'requireEmailConfirmation',
    AUTH_INVITATIONS: 'invitations',
    APP_URL: 'appUrl',
    AUTH_AUDIENCE: 'audience',
    AUTH_MAIL_FROM: 'mailFrom',
  };
  for (const [name, key] of Object.entries(field)) assert.equal(String(config[key]), settingOf(name)?.default, name);
});

test('every setting has its documentation line in shared/settings-docs.ts, apart from the runtime table (the compiler holds the keys; here: no empty line, no stray key)', () => {
  assert.deepEqual(Object.keys(SETTING_DOCS).sort(), declared.map((s) => s.name).sort());
  for (const [name, doc] of Object.entries(SETTING_DOCS)) assert.ok(doc.description.trim().length > 0, name);
  // The runtime table carries no prose (the functions bundle it).
  for (const setting of declared) assert.ok(!('description' in setting) && !('defaultText' in setting), setting.name);
});
