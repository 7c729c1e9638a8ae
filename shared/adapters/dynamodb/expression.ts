import type { UserGuard } from '../../ports/store.js';

/** An item as the document client reads and writes it. */
export type Item = Record<string, unknown>;

export const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'ttl'];

/** The item without its key attributes: the stored record as the port types it. */
export function strip(item: Item): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!KEY_ATTRIBUTES.includes(k)) out[k] = v;
  return out;
}

/** Builds `SET`/`ADD` clauses and their placeholders for a partial update. */
export class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private n = 0;

  name(attribute: string): string {
    const placeholder = `#a${this.n++}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${this.n++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** `a = :x, b = :y` for every defined field. */
  assignments(fields: Record<string, unknown>): string[] {
    return Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${this.name(k)} = ${this.value(v)}`);
  }

  /** Condition text of a user guard on the user item (always includes existence); `sessionSeq` clauses: {@link seqGuard}. */
  guard(guard: UserGuard | undefined): string {
    const parts = ['attribute_exists(pk)'];
    if (guard?.sessionEpoch !== undefined) parts.push(`${this.name('sessionEpoch')} = ${this.value(guard.sessionEpoch)}`);
    if (guard?.unlocked) parts.push(`${this.name('locked')} = ${this.value(false)}`);
    // No email change (moveEmail) happened since the caller read the user.
    if (guard?.emailCanonical !== undefined) parts.push(`${this.name('emailCanonical')} = ${this.value(guard.emailCanonical)}`);
    // No confirmation landed since the caller read the user (a re-registration must not replace
    // the password of an account that was just confirmed with the earlier one).
    if (guard?.unconfirmed) parts.push(`${this.name('emailConfirmed')} = ${this.value(false)}`);
    // No role change happened since the caller read the user (a session never gets a stale role).
    if (guard?.role !== undefined) parts.push(`${this.name('role')} = ${this.value(guard.role)}`);
    // The breach notice for this password was not sent yet: of concurrent sign-ins one notifies.
    if (guard?.breachNoticeHashNot !== undefined) {
      const name = this.name('breachNoticeHash');
      parts.push(`(attribute_not_exists(${name}) OR ${name} <> ${this.value(guard.breachNoticeHashNot)})`);
    }
    // TOTP off (enrolling, confirming), or still the factor that was read (disabling it).
    if (guard?.totp === true) parts.push(`attribute_not_exists(${this.name('totp')})`);
    else if (typeof guard?.totp === 'string') parts.push(`${this.name('totp')}.${this.name('secretEnc')} = ${this.value(guard.totp)}`);
    if (guard?.mfaEnabled) parts.push(`${this.name('mfaEnabled')} = ${this.value(true)}`);
    // Passkeys (`docs/specs/mfa-and-passkeys.md` §12): the cap under concurrent additions, nothing
    // added or removed meanwhile, and never the last sign-in method (a missing attribute is 0, or
    // the count derived from the item as read).
    if (guard?.passkeyCountBelow !== undefined) {
      const name = this.name('passkeyCount');
      parts.push(`(attribute_not_exists(${name}) OR ${name} < ${this.value(guard.passkeyCountBelow)})`);
    }
    if (guard?.passkeyCount !== undefined) {
      const name = this.name('passkeyCount');
      const equal = `${name} = ${this.value(guard.passkeyCount)}`;
      parts.push(guard.passkeyCount === 0 ? `(attribute_not_exists(${name}) OR ${equal})` : equal);
    }
    if (guard?.signInMethodsAbove !== undefined) {
      const name = this.name('signInMethods');
      const above = `${name} > ${this.value(guard.signInMethodsAbove.min)}`;
      parts.push(guard.signInMethodsAbove.derived > guard.signInMethodsAbove.min ? `(attribute_not_exists(${name}) OR ${above})` : above);
    }
    if (guard?.passwordHash !== undefined) {
      const name = this.name('passwordHash');
      parts.push(
        guard.passwordHash === null
          ? `(attribute_not_exists(${name}) OR attribute_type(${name}, ${this.value('NULL')}))`
          : `${name} = ${this.value(guard.passwordHash)}`,
      );
    }
    return parts.join(' AND ');
  }

  /**
   * Condition text of a guard's `sessionSeq` clauses, on the user's sequence item (`seq`; a
   * missing item is 0), or undefined when the guard has none.
   */
  seqGuard(guard: UserGuard | undefined): string | undefined {
    const parts: string[] = [];
    if (guard?.sessionSeq !== undefined) {
      const seq = this.name('seq');
      parts.push(guard.sessionSeq === 0 ? `(attribute_not_exists(${seq}) OR ${seq} = ${this.value(0)})` : `${seq} = ${this.value(guard.sessionSeq)}`);
    }
    // Bounds how many sessions were created since the caller listed them (the session cap).
    if (guard?.sessionSeqAtMost !== undefined) {
      const seq = this.name('seq');
      parts.push(
        guard.sessionSeqAtMost >= 0
          ? `(attribute_not_exists(${seq}) OR ${seq} <= ${this.value(guard.sessionSeqAtMost)})`
          : `${seq} <= ${this.value(guard.sessionSeqAtMost)}`,
      );
    }
    return parts.length > 0 ? parts.join(' AND ') : undefined;
  }

  attach<T extends object>(input: T): T & { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
    return {
      ...input,
      ...(Object.keys(this.names).length > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}
