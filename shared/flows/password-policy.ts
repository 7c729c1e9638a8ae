import { contextWords } from '../domain/context-words.js';
import { type PasswordPolicy, passwordProblems } from '../domain/password.js';
import type { PasswordRules } from '../domain/validation.js';
import type { Deps } from './deps.js';

/**
 * The policy a new password of the account with this email is checked against: the configured
 * minimum, the account's context words, the common and the breached lists. One place for every route that
 * sets a password (registration, `PATCH /me`, reset, invitation acceptance, admin create and
 * set-password, and the CLI through them).
 */
export function passwordPolicy(deps: Pick<Deps, 'config' | 'breached' | 'commonPasswords'>, email: string | undefined): PasswordPolicy & PasswordRules {
  const policy: PasswordPolicy = {
    minLength: deps.config.passwordMinLength,
    context: contextWords({ appUrl: deps.config.appUrl, extra: deps.config.passwordContextWords, email }),
    common: deps.commonPasswords,
    breached: deps.breached,
  };
  return { ...policy, problems: (password) => passwordProblems(password, policy) };
}
