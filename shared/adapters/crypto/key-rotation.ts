import { currentKeyOf, type KeyStatus, type StoredKey, statusOf } from './key-ring.js';

/**
 * Signing-key rotation as explicit steps (`docs/key-rotation.md`), as pure functions over the
 * stored ring; `latch keys` reads the ring, applies one step and writes it back.
 *
 * 1. `rotate`: stage a new key as `next`. Every function's ring (and the JWKS) gets it within
 *    the key-ring TTL, but nothing signs with it yet.
 * 2. `promote` (once the staged key is older than the key-ring TTL, so every verifier knows it):
 *    the `next` key becomes `current` and signs; the old one becomes `previous`.
 * 3. `retire` (once a previous key stopped signing longer ago than the access-token lifetime
 *    plus the key-ring TTL, so no token it signed is still valid): it leaves the ring.
 *
 * A compromised key is revoked at once instead (`revoke`): it leaves the ring now, and if it was
 * the current one, the staged key (or a fresh one) signs from now on.
 */

/** The two durations the steps wait for (the CLI takes them from its environment, as the functions do). */
export interface RotationTimes {
  accessTokenTtlSeconds: number;
  keyRingTtlSeconds: number;
}

/** A step that is not possible now; the message says why and what to do instead. */
export class RotationRefused extends Error {}

/** Reads and writes the whole ring (the local file, or the private and public secrets on AWS). */
export interface KeyRingStore {
  /** For messages: where the ring is. */
  readonly description: string;
  read(): Promise<StoredKey[]>;
  /** Writes the ring and publishes its public keys. */
  write(ring: readonly StoredKey[]): Promise<void>;
  /** Whether the published public keys are those of this ring (undefined: the store has no separate public copy). */
  published?(ring: readonly StoredKey[]): Promise<boolean>;
}

/** One key as `latch keys status` shows it. */
export interface KeyRow {
  kid: string;
  status: KeyStatus;
  createdAt: string;
  stagedAt?: string | undefined;
  retiredAt?: string | undefined;
  /** `next`: when `promote` may run; `previous`: when `retire` may remove it. */
  readyAt?: string | undefined;
  ready?: boolean | undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string | undefined, fallback: number) => {
  const ms = text ? Date.parse(text) : Number.NaN;
  return Number.isNaN(ms) ? fallback : ms;
};

/** When a staged key may be promoted: once every warm function has read it (one key-ring TTL). */
function promotableAt(key: StoredKey, times: RotationTimes): number {
  return at(key.stagedAt ?? key.createdAt, 0) + times.keyRingTtlSeconds * 1000;
}

/**
 * When a previous key may leave: a signer that has not reloaded yet may sign with it for one
 * key-ring TTL after the promotion, and that token lives one access-token lifetime. A key with
 * no `retiredAt` (a ring from before rotation states) counts from its creation's end: now.
 */
function retirableAt(key: StoredKey, times: RotationTimes, now: number): number {
  return at(key.retiredAt, now) + (times.keyRingTtlSeconds + times.accessTokenTtlSeconds) * 1000;
}

/** The ring with every key's status written out, in the canonical order: current, next, previous. */
function normalized(ring: readonly StoredKey[]): StoredKey[] {
  const statuses = statusOf(ring);
  const order: KeyStatus[] = ['current', 'next', 'previous'];
  return ring.map((key) => ({ ...key, status: statuses.get(key.kid) as KeyStatus })).sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
}

/** The ring as `keys status` shows it. */
export function describeRing(ring: readonly StoredKey[], times: RotationTimes, now: number): KeyRow[] {
  return normalized(ring).map((key) => {
    const row: KeyRow = { kid: key.kid, status: key.status as KeyStatus, createdAt: key.createdAt, stagedAt: key.stagedAt, retiredAt: key.retiredAt };
    if (key.status === 'next') row.readyAt = iso(promotableAt(key, times));
    if (key.status === 'previous' && key.retiredAt) row.readyAt = iso(retirableAt(key, times, now));
    if (row.readyAt) row.ready = Date.parse(row.readyAt) <= now;
    return row;
  });
}

/** Step 1: stages `key` as `next`. Refused while another key is staged. */
export function stageKey(ring: readonly StoredKey[], key: StoredKey, now: number): StoredKey[] {
  const keys = normalized(ring);
  const staged = keys.find((k) => k.status === 'next');
  if (staged) throw new RotationRefused(`Key ${staged.kid} is already staged: promote it (latch keys promote) or revoke it before staging another.`);
  if (keys.some((k) => k.kid === key.kid)) throw new RotationRefused(`The ring already has a key ${key.kid}.`);
  return normalized([...keys, { ...key, status: 'next', stagedAt: iso(now) }]);
}

/** Step 2: the staged key signs from now on; the current one becomes `previous`. Refused before every function can know the staged key, unless `force`. */
export function promoteKey(
  ring: readonly StoredKey[],
  times: RotationTimes,
  now: number,
  force = false,
): { ring: StoredKey[]; promoted: string; demoted: string } {
  const keys = normalized(ring);
  const next = keys.find((k) => k.status === 'next');
  if (!next) throw new RotationRefused('No key is staged: run `latch keys rotate` first.');
  const ready = promotableAt(next, times);
  if (!force && now < ready) {
    throw new RotationRefused(
      `Key ${next.kid} was staged less than AUTH_KEY_RING_TTL_SECONDS (${times.keyRingTtlSeconds} s) ago: functions that have not read it yet would refuse its tokens. Promote at or after ${iso(ready)} (or --force).`,
    );
  }
  const current = currentKeyOf(keys);
  const updated = keys.map((k): StoredKey => {
    if (k.kid === next.kid) return { ...k, status: 'current' };
    if (k.kid === current.kid) return { ...k, status: 'previous', retiredAt: iso(now) };
    return k;
  });
  return { ring: normalized(updated), promoted: next.kid, demoted: current.kid };
}

/**
 * Step 3: removes previous keys whose tokens have all expired (`kid`: only that one). Refused
 * for a key whose tokens may still be valid, unless `force` (which signs out nobody, but makes
 * those tokens fail: their holders renew).
 */
export function retireKeys(
  ring: readonly StoredKey[],
  times: RotationTimes,
  now: number,
  options: { kid?: string | undefined; force?: boolean } = {},
): { ring: StoredKey[]; retired: string[] } {
  const keys = normalized(ring);
  const readyAt = (k: StoredKey) => (k.retiredAt ? retirableAt(k, times, now) : Number.POSITIVE_INFINITY);
  const why = (k: StoredKey) =>
    k.retiredAt
      ? `tokens signed by ${k.kid} may still be valid until ${iso(readyAt(k))} (access-token lifetime plus key-ring TTL after its promotion)`
      : `${k.kid} has no retiredAt (it was added before rotation states): only you know when its last token expired`;
  if (options.kid !== undefined) {
    const key = keys.find((k) => k.kid === options.kid);
    if (!key) throw new RotationRefused(`The ring has no key ${options.kid}.`);
    if (key.status !== 'previous') {
      throw new RotationRefused(
        `Key ${options.kid} is ${key.status}: only a previous key retires. A compromised key is revoked instead (latch keys revoke ${options.kid}).`,
      );
    }
    if (!options.force && now < readyAt(key)) {
      throw new RotationRefused(`Not yet: ${why(key)}. Retire it then, or now with --force (its holders renew), or revoke it if it is compromised.`);
    }
    return { ring: keys.filter((k) => k.kid !== key.kid), retired: [key.kid] };
  }
  const previous = keys.filter((k) => k.status === 'previous');
  const retired = previous.filter((k) => options.force || now >= readyAt(k)).map((k) => k.kid);
  if (retired.length === 0) {
    throw new RotationRefused(
      previous.length === 0 ? 'No previous key to retire.' : `No previous key can retire yet: ${previous.map(why).join('; ')} (or --force).`,
    );
  }
  return { ring: keys.filter((k) => !retired.includes(k.kid)), retired };
}

/**
 * A compromised key: out of the ring at once, whatever its status, so every token it signed is
 * refused as soon as each function reloads (within the key-ring TTL). If it was the current key,
 * the staged one signs from now on, or `replacement` when none is staged.
 */
export async function revokeKey(
  ring: readonly StoredKey[],
  kid: string,
  replacement: () => Promise<StoredKey>,
): Promise<{ ring: StoredKey[]; promoted?: string }> {
  const keys = normalized(ring);
  const key = keys.find((k) => k.kid === kid);
  if (!key) throw new RotationRefused(`The ring has no key ${kid}.`);
  const rest = keys.filter((k) => k.kid !== kid);
  if (key.status !== 'current') return { ring: normalized(rest) };
  const staged = rest.find((k) => k.status === 'next');
  if (staged) return { ring: normalized(rest.map((k) => (k.kid === staged.kid ? { ...k, status: 'current' as const } : k))), promoted: staged.kid };
  const fresh = await replacement();
  return { ring: normalized([{ ...fresh, status: 'current' }, ...rest]), promoted: fresh.kid };
}
