import type { Command } from 'commander';
import { generateStoredKey, type StoredKey } from '../adapters/crypto/key-ring.js';
import { readKeyRingFile, writeKeyRingFile } from '../adapters/crypto/key-ring-file.js';
import {
  describeRing,
  type KeyRingStore,
  promoteKey,
  RotationRefused,
  type RotationTimes,
  retireKeys,
  revokeKey,
  stageKey,
} from '../adapters/crypto/key-rotation.js';
import { loadConfig } from '../config.js';
import { CliError } from './errors.js';
import type { CliIo } from './program.js';
import type { Target, TargetOptions } from './target.js';

/**
 * `latch keys status|rotate|promote|retire|revoke`: the signing-key rotation of
 * `docs/key-rotation.md`, as explicit steps an operator runs (and can check) one at a time.
 * The waits come from `AUTH_ACCESS_TOKEN_TTL_SECONDS` and `AUTH_KEY_RING_TTL_SECONDS` in the
 * CLI's environment (their defaults unless set): set them as the deployment does.
 */

interface KeysOptions extends TargetOptions {
  json?: boolean;
  force?: boolean;
}

function storeOf(target: Target): KeyRingStore {
  const where = target.signingKeys;
  if (!where) {
    throw new CliError(
      target.kind === 'table'
        ? 'latch keys needs the stack (--stack <name>: its KeySecretArn and PublicKeySecretArn outputs) or the local stack, not --table.'
        : `${target.description} does not say where its signing keys are (restart \`npm start\`, or deploy the stack again for its key outputs).`,
    );
  }
  if ('file' in where) {
    return { description: where.file, read: () => readKeyRingFile(where.file), write: (ring) => writeKeyRingFile(where.file, ring) };
  }
  let store: Promise<KeyRingStore> | undefined;
  const load = () => {
    store ??= import('../adapters/secrets/key-secret.js').then((m) =>
      m.secretsManagerKeyRingStore(where.privateSecretArn, where.publicSecretArn, target.region),
    );
    return store;
  };
  return {
    description: `the secrets ${where.privateSecretArn} and ${where.publicSecretArn}`,
    read: async () => (await load()).read(),
    write: async (ring) => (await load()).write(ring),
    published: async (ring) => (await load()).published?.(ring) ?? true,
  };
}

/** Registers `keys …` on the program. `withCommonOptions` is the program's (the target options every command takes). */
export function registerKeysCommands(program: Command, io: CliIo, withCommonOptions: (command: Command) => Command): void {
  const print = (text: string) => io.stdout.write(`${text}\n`);

  const act =
    <A extends unknown[]>(run: (store: KeyRingStore, times: RotationTimes, options: KeysOptions, ...args: A) => Promise<void>) =>
    async (...args: unknown[]) => {
      const options = (args[args.length - 1] as Command).opts() as KeysOptions;
      const config = loadConfig(io.env);
      const { resolveTarget } = await import('./target.js');
      const target = await resolveTarget(options, io.env, io.cwd);
      const times = { accessTokenTtlSeconds: config.accessTokenTtlSeconds, keyRingTtlSeconds: config.keyRingTtlSeconds };
      try {
        await run(storeOf(target), times, options, ...(args.slice(0, -2) as A));
      } catch (error) {
        if (error instanceof RotationRefused) throw new CliError(error.message);
        throw error;
      }
    };

  const show = async (
    store: KeyRingStore,
    ring: StoredKey[],
    times: RotationTimes,
    options: KeysOptions,
    headline: string,
    extra: Record<string, unknown> = {},
  ) => {
    const rows = describeRing(ring, times, Date.now());
    const published = store.published ? await store.published(ring) : true;
    if (options.json) {
      print(JSON.stringify({ ...extra, keys: rows, published }, null, 2));
      return;
    }
    const lines = rows.map((row) => {
      const since =
        row.status === 'next'
          ? `staged ${row.stagedAt}`
          : row.status === 'previous'
            ? `stopped signing ${row.retiredAt ?? '(unknown)'}`
            : `created ${row.createdAt}`;
      const ready = row.readyAt ? `; ${row.status === 'next' ? 'promote' : 'retire'} ${row.ready ? 'now' : `at ${row.readyAt}`}` : '';
      return `  ${row.status.padEnd(8)} ${row.kid}  ${since}${ready}`;
    });
    print(
      [headline, ...lines, ...(published ? [] : ['  The public key secret does not match this ring: run any `latch keys` step again to publish it.'])].join(
        '\n',
      ),
    );
  };

  const keys = program.command('keys').description('rotate the access-token signing keys step by step (docs/key-rotation.md)');

  withCommonOptions(
    keys.command('status').description('show the ring: the current key, a staged next key, previous keys, and when each next step may run'),
  ).action(
    act(async (store, times, options) => {
      await show(store, await store.read(), times, options, `Signing keys in ${store.description}:`);
    }),
  );

  withCommonOptions(
    keys
      .command('rotate')
      .description('step 1: stage a new key as "next" (verifies and is published, signs nothing yet); then wait AUTH_KEY_RING_TTL_SECONDS and promote'),
  ).action(
    act(async (store, times, options) => {
      const key = await generateStoredKey();
      const ring = stageKey(await store.read(), key, Date.now());
      await store.write(ring);
      await show(store, ring, times, options, `Staged ${key.kid}. Promote it with \`latch keys promote\` once every function has read it (see "promote").`, {
        staged: key.kid,
      });
    }),
  );

  withCommonOptions(
    keys
      .command('promote')
      .description('step 2: the staged key signs from now on, the current one becomes "previous" (still verifies)')
      .option(
        '--force',
        'promote before AUTH_KEY_RING_TTL_SECONDS have passed since staging (functions that have not read the key refuse its tokens until they do)',
      ),
  ).action(
    act(async (store, times, options) => {
      const { ring, promoted, demoted } = promoteKey(await store.read(), times, Date.now(), options.force === true);
      await store.write(ring);
      await show(
        store,
        ring,
        times,
        options,
        `${promoted} signs now; ${demoted} still verifies. Retire it with \`latch keys retire\` once its tokens have expired.`,
        {
          promoted,
          demoted,
        },
      );
    }),
  );

  withCommonOptions(
    keys
      .command('retire')
      .description('step 3: remove previous keys whose tokens have all expired (or only [kid])')
      .argument('[kid]', 'only this previous key')
      .option('--force', 'remove it even though tokens it signed may still be valid (their holders renew: nobody is signed out)'),
  ).action(
    act(async (store, times, options, kid: string | undefined) => {
      const { ring, retired } = retireKeys(await store.read(), times, Date.now(), { kid, force: options.force === true });
      await store.write(ring);
      await show(store, ring, times, options, `Retired ${retired.join(', ')}: tokens signed by ${retired.length === 1 ? 'it' : 'them'} are refused.`, {
        retired,
      });
    }),
  );

  withCommonOptions(
    keys
      .command('revoke')
      .description(
        'a compromised key: remove it now, whatever its status (if it signs, the staged key or a fresh one signs instead); its tokens are refused within AUTH_KEY_RING_TTL_SECONDS',
      )
      .argument('<kid>', 'the compromised key'),
  ).action(
    act(async (store, times, options, kid: string) => {
      const result = await revokeKey(await store.read(), kid, () => generateStoredKey());
      await store.write(result.ring);
      const promoted = result.promoted ? ` ${result.promoted} signs from now on.` : '';
      await show(
        store,
        result.ring,
        times,
        options,
        `Revoked ${kid}: every token it signed is refused once each function has read the ring (within ${times.keyRingTtlSeconds} s).${promoted}`,
        { revoked: kid, ...(result.promoted ? { promoted: result.promoted } : {}) },
      );
    }),
  );
}
