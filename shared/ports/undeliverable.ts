/**
 * Addresses SES reported as undeliverable (a permanent bounce) or that complained (marked a mail
 * as spam): the mail sender sends them nothing more (`docs/mail.md`). Keyed by a hash of the
 * canonical address, never the address itself.
 */
export interface UndeliverableMark {
  reason: 'bounce' | 'complaint';
  /** SES's bounce type and subtype (`Permanent/General`) or complaint feedback type (`abuse`); never an address. */
  detail: string;
  /** ISO time SES gave for the event. */
  at: string;
}

export interface UndeliverableAddresses {
  /** The mark of an address hash, if any (one strongly consistent read). */
  markOf(addressHash: string): Promise<UndeliverableMark | undefined>;
  /**
   * Marks an address hash, in one conditional write: the first mark is kept (`already` when
   * there was one), so SES's retries and duplicate notifications change nothing.
   */
  mark(addressHash: string, mark: UndeliverableMark): Promise<'marked' | 'already'>;
}
