import { canonicalEmailOf } from './email.js';
import { type FieldErrors, ValidationError } from './errors.js';
import { isUserLocale } from './locales.js';
import { messages } from './messages.js';

/**
 * The rules a new password is checked against: `passwordPolicy` (shared/flows/password-policy.ts)
 * builds them over `passwordProblems` (password.ts). Passed in rather than imported, so the
 * embedded common-password list is bundled only into the functions that set passwords.
 */
export interface PasswordRules {
  problems(password: string): string[];
}

/** Collects field errors and throws one `ValidationError` with all of them. */
export class FieldChecker {
  readonly errors: FieldErrors = {};

  add(field: string, message: string): void {
    const list = this.errors[field] ?? [];
    list.push(message);
    this.errors[field] = list;
  }

  /** Records "can't be blank" for a missing or empty (after trimming) value; returns the value. */
  required(field: string, value: string | undefined): string | undefined {
    if (value === undefined || value.trim() === '') {
      this.add(field, messages.field.blank);
      return undefined;
    }
    return value;
  }

  /**
   * A required email in a valid format (at most 320 characters). Returns its canonical form,
   * the only form an account stores and mails (see `canonicalEmailOf`).
   */
  email(field: string, value: string | undefined): string | undefined {
    const present = this.required(field, value);
    if (present === undefined) return undefined;
    const canonical = canonicalEmailOf(present);
    if (canonical === undefined) {
      this.add(field, messages.field.invalidFormat);
      return undefined;
    }
    return canonical;
  }

  /**
   * An optional locale (`docs/specs/hosted-ui.md` §8): undefined when absent, one of
   * `USER_LOCALES`, or null (`allowNull`: clears it); anything else is `is invalid`.
   */
  locale(field: string, value: unknown, allowNull: boolean): string | null | undefined {
    if (value === undefined) return undefined;
    if (value === null && allowNull) return null;
    if (isUserLocale(value)) return value;
    this.add(field, messages.field.invalid);
    return undefined;
  }

  /** A required password that follows the policy, and its optional confirmation. */
  password(value: string | undefined, confirmation: string | undefined, policy: PasswordRules, field = 'password'): string | undefined {
    if (value === undefined || value === '') {
      this.add(field, messages.field.blank);
      return undefined;
    }
    const problems = policy.problems(value);
    for (const problem of problems) this.add(field, problem);
    if (confirmation !== undefined && confirmation !== value) {
      this.add(`${field}Confirmation`, messages.field.mismatch);
    }
    return problems.length === 0 ? value : undefined;
  }

  /**
   * A page size from a query string or the CLI: a whole number from 1 to `bounds.max`, the
   * default when absent. The one rule of every paged listing (`GET /admin/users`, `GET /sessions`).
   */
  limit(value: string | number | undefined, bounds: { readonly default: number; readonly max: number }, field = 'limit'): number {
    if (value === undefined || value === '') return bounds.default;
    const parsed = typeof value === 'number' ? value : /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isInteger(parsed) || parsed < 1 || parsed > bounds.max) {
      this.add(field, `must be a whole number from 1 to ${bounds.max}`);
      return bounds.default;
    }
    return parsed;
  }

  get ok(): boolean {
    return Object.keys(this.errors).length === 0;
  }

  /** Throws the collected errors, if any. */
  throwIfAny(): void {
    if (!this.ok) throw new ValidationError(this.errors);
  }
}
