import { type AuthStore, itemsOf, MAX_ITEMS_PER_COMMIT, type WriteOp } from './store.js';

/**
 * Commits `head` together with as many of `tail` as fit beside it, in ONE atomic commit; then
 * the rest of `tail` in follow-up commits of at most {@link MAX_ITEMS_PER_COMMIT} items each.
 *
 * `head` holds the writes that carry the use case's conditions (a user change with its guard,
 * a spent token); if the first commit fails, nothing was written and the error reaches the
 * caller as it is. `tail` holds writes that are safe to finish after the first commit, in any
 * order and more than once: in practice the deletion of sessions that the first commit already
 * made useless (by bumping `sessionEpoch` or deleting the user). A follow-up failing leaves
 * such leftovers only, which expire by TTL.
 */
export async function commitInChunks(store: Pick<AuthStore, 'commit'>, head: WriteOp[], tail: WriteOp[] = []): Promise<void> {
  let room = MAX_ITEMS_PER_COMMIT - countItems(head);
  if (room < 0) throw new Error(`the atomic part of a commit takes at most ${MAX_ITEMS_PER_COMMIT} items, got ${countItems(head)}`);
  const first = [...head];
  let next = 0;
  for (; next < tail.length; next++) {
    const size = countItems([tail[next] as WriteOp]);
    if (size > room) break;
    first.push(tail[next] as WriteOp);
    room -= size;
  }
  await store.commit(first);
  let chunk: WriteOp[] = [];
  let size = 0;
  for (; next < tail.length; next++) {
    const op = tail[next] as WriteOp;
    const items = countItems([op]);
    if (size + items > MAX_ITEMS_PER_COMMIT) {
      await store.commit(chunk);
      [chunk, size] = [[], 0];
    }
    chunk.push(op);
    size += items;
  }
  if (chunk.length > 0) await store.commit(chunk);
}

/** The items some writes touch, as the store counts them against {@link MAX_ITEMS_PER_COMMIT}. */
export function countItems(ops: WriteOp[]): number {
  return ops.reduce((sum, op) => sum + itemsOf(op).length, 0);
}
