import type { UndeliverableAddresses, UndeliverableMark } from '../../ports/undeliverable.js';

/** {@link UndeliverableAddresses} in memory (tests, in-process benchmarks): the first mark is kept. */
export class MemoryUndeliverable implements UndeliverableAddresses {
  readonly marks = new Map<string, UndeliverableMark>();

  async markOf(addressHash: string): Promise<UndeliverableMark | undefined> {
    const mark = this.marks.get(addressHash);
    return mark ? { ...mark } : undefined;
  }

  async mark(addressHash: string, mark: UndeliverableMark): Promise<'marked' | 'already'> {
    if (this.marks.has(addressHash)) return 'already';
    this.marks.set(addressHash, { ...mark });
    return 'marked';
  }
}
