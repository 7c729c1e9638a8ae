/**
 * What verifying imported legacy password hashes needs beyond `node:crypto`
 * (`docs/specs/import-export.md` §4–§5): bcrypt, and the import's pepper secret.
 */
export interface LegacyPasswords {
  /** Verifies a bcrypt hash; false for a wrong password or an unparsable hash, never throws for those. */
  bcryptVerify(hash: string, password: string): Promise<boolean>;
  /**
   * The pepper secret's entries (`{ "<pepperId>": "<pepper>" }`); an empty map when none is
   * configured. Peppers never enter the table, an export, a report or a log.
   */
  peppers(): Promise<ReadonlyMap<string, string>>;
}
