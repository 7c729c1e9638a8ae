import { type AttributeDefinitions, parseAttributeDefinitions } from './domain/attributes.js';

/**
 * The one typed configuration loader, used by the deployed functions, the local runner, the CLI
 * and the tests. It fails fast: a missing or malformed setting throws a plain `Error` at cold
 * start, never a 401 at request time.
 */
export interface Config {
  requireEmailConfirmation: boolean;
  passwordMinLength: number;
  accessTokenTtlSeconds: number;
  sessionTtlSeconds: number;
  rememberMeTtlSeconds: number;
  resetTokenTtlSeconds: number;
  confirmationTokenTtlSeconds: number;
  invitationTokenTtlSeconds: number;
  maxFailedSignIns: number;
  lockoutSeconds: number;
  /** Live sessions a user may have; starting one more revokes the oldest. */
  maxSessionsPerUser: number;
  invitations: 'any' | 'admin';
  /** Origin of the client app; every mailed link starts with it. Never taken from a request. */
  appUrl: string;
  /** `iss` of access tokens and the OpenID configuration. */
  issuer: string;
  /** `aud` of access tokens. */
  audience: string;
  corsOrigins: string[];
  /** Roles a user may have; always includes `user` and `admin`. */
  roles: string[];
  /** Addresses of proxies whose `X-Forwarded-For` the local runner believes. */
  trustedProxies: string[];
  /** Sender address of every mail (a verified SES identity). */
  mailFrom: string;
  /** Custom user attributes (`AUTH_USER_ATTRIBUTES`, JSON): stored on the user, returned in the user object. */
  attributes: AttributeDefinitions;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 1, max = 10 * 365 * 86400): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new Error(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function url(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error(`${name} must be an absolute URL, got "${raw}"`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`${name} must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

/** Reads the configuration from environment variables (see the README's table). */
export function loadConfig(env: Env = process.env): Config {
  const appUrl = url(env, 'APP_URL', 'http://localhost:3000');
  const invitations = env.AUTH_INVITATIONS || 'any';
  if (invitations !== 'any' && invitations !== 'admin') {
    throw new Error(`AUTH_INVITATIONS must be "any" or "admin", got "${invitations}"`);
  }
  const sessionTtlSeconds = int(env, 'AUTH_SESSION_TTL_SECONDS', 86400);
  const config: Config = {
    requireEmailConfirmation: bool(env, 'AUTH_REQUIRE_EMAIL_CONFIRMATION', true),
    passwordMinLength: int(env, 'AUTH_PASSWORD_MIN_LENGTH', 8, 8, 4096),
    accessTokenTtlSeconds: int(env, 'AUTH_ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86400),
    sessionTtlSeconds,
    rememberMeTtlSeconds: int(env, 'AUTH_REMEMBER_ME_TTL_SECONDS', 2592000),
    resetTokenTtlSeconds: int(env, 'AUTH_RESET_TOKEN_TTL_SECONDS', 3600),
    confirmationTokenTtlSeconds: int(env, 'AUTH_CONFIRMATION_TOKEN_TTL_SECONDS', 172800),
    invitationTokenTtlSeconds: int(env, 'AUTH_INVITATION_TOKEN_TTL_SECONDS', 604800),
    maxFailedSignIns: int(env, 'AUTH_MAX_FAILED_SIGN_INS', 10, 1, 1000),
    lockoutSeconds: int(env, 'AUTH_LOCKOUT_SECONDS', 900),
    maxSessionsPerUser: int(env, 'AUTH_MAX_SESSIONS_PER_USER', 100, 1, 1000),
    invitations,
    appUrl,
    issuer: url(env, 'AUTH_ISSUER', appUrl),
    audience: env.AUTH_AUDIENCE || 'latch',
    corsOrigins: list(env, 'AUTH_CORS_ORIGINS').length > 0 ? list(env, 'AUTH_CORS_ORIGINS') : [new URL(appUrl).origin],
    roles: [...new Set(['user', 'admin', ...list(env, 'AUTH_ROLES')])],
    trustedProxies: list(env, 'AUTH_TRUSTED_PROXIES'),
    mailFrom: env.AUTH_MAIL_FROM || 'no-reply@localhost',
    attributes: parseAttributeDefinitions(env.AUTH_USER_ATTRIBUTES),
  };
  return config;
}
