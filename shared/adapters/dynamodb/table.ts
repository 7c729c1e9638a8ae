import { createHash } from 'node:crypto';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one table definition: CDK (`infra/constructs/latch-auth.ts`), the local runner and the
 * tests all create the table from it, so the local stack cannot drift from what is deployed.
 *
 * Single-table layout (every item of a user sits in the user's partition, so one strongly
 * consistent Query finds all of them):
 *
 * | item    | pk                 | sk                | notes                                   |
 * |---------|--------------------|-------------------|-----------------------------------------|
 * | user    | `USER#<id>`        | `PROFILE`         | gsi1: `USERS#<shard>` / `<canonical email>#<id>`; `ttl` while never confirmed |
 * | session sequence | `USER#<id>` | `PROFILE#SEQ` | `seq`: the user's `sessionSeq` (missing: 0); `totpStep`: the last TOTP step spent; see below |
 * | claim   | `EMAIL#<canonical>`| `CLAIM`           | uniqueness of the canonical email; `ttl` as its user's |
 * | session | `USER#<id>`        | `SESSION#<sid>`   | `ttl` = the session's deadline           |
 * | token   | `USER#<id>`        | `TOKEN#<kind>`    | one per user and kind; only its hash     |
 * | counter | `COUNTER#<scope>`  | `COUNTER`         | failed sign-ins; `ttl` = window end      |
 * | mail cap| `MAILCAP#<scope>`  | `MAILCAP`         | mails per kind and hashed recipient      |
 * | outbox  | `OUTBOX#<id>`      | `MAIL`            | a mail for the sender; short `ttl`       |
 * | TOTP enrolment | `USER#<id>` | `TOTP_PENDING`   | encrypted secret; `ttl` = its expiry     |
 * | MFA challenge  | `USER#<id>` | `MFA#<hash>`     | two-step sign-in; `ttl` = its expiry     |
 * | undeliverable | `UNDELIVERABLE#<address hash>` | `UNDELIVERABLE` | SES bounce/complaint mark (docs/mail.md) |
 *
 * No hot partition (issue 17): a sign-in must not write the user item, whose users-index entry
 * every write of it rewrites. The user's `sessionSeq` (the session cap's and the revoke-all's
 * guard) therefore lives in its own small item beside the profile (`PROFILE#SEQ`); a sign-in
 * condition-checks the profile and bumps the sequence item. A TOTP code spent (at every sign-in
 * and step-up of a user on TOTP: the commonest user write left) records its step there too, as
 * `totpStep`, in that same one write of the item (DynamoDB allows one operation per item and
 * transaction) under `totpStep < :step`, and only condition-checks the profile's own
 * `totp.lastStep` (its enrolment's step, or the last spend of a table written before); the
 * user's `lastStep` reads as the larger of the two (`spentTotpStep` in `shared/domain/totp.ts`). Reads
 * of the user fetch both with one Query (`begins_with(sk, 'PROFILE')`). The users index is
 * spread over {@link USERS_INDEX_SHARDS} partitions (`USERS#<n>`, n from a hash of the user id),
 * so no index partition takes more than its share of the user writes that remain
 * (registrations, confirmations, password and role changes, recovery codes spent); the admin
 * list reads every shard and merges them in email order. Migration of a table written before:
 * see `docs/migrations.md`.
 * | OAuth state/pending/nonce | `OAUTH_STATE#<sha256>` (…`PENDING`, …`NONCE`) | `OAUTH_STATE` (…) | `ttl` = its expiry |
 * | identity claim | `IDENTITY#<provider>#<sub>` | `CLAIM` | uniqueness of `(provider, sub)`        |
 * | identity | `USER#<id>`      | `IDENTITY#<provider>` | one per provider per user             |
 * | passkey | `USER#<id>`        | `PASSKEY#<credentialId>` | public key, counter, flags         |
 * | passkey claim | `PASSKEY#<credentialId>` | `CLAIM` | `userId`: a credential id is one user's |
 * | WebAuthn challenge | `WEBAUTHN#<sha256>` | `WEBAUTHN` | ceremony, purpose, binding; `ttl`   |
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds. DynamoDB deletes expired items late, so every read checks expiry itself. */
  ttlAttribute: 'ttl',
  usersIndex: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

/**
 * Partitions of the users index. A constant, not a setting: changing it moves every user's index
 * entry (see `docs/migrations.md`). 16 keeps every shard far below a partition's 1,000 writes/s
 * at the peak the benchmark models (row 9), while an admin page reads 16 small Queries.
 */
export const USERS_INDEX_SHARDS = 16;

/** The users-index partition of a user: a stable hash of its id, so any writer computes the same. */
export function usersShardOf(userId: string): string {
  return `USERS#${createHash('sha256').update(userId).digest().readUInt16BE(0) % USERS_INDEX_SHARDS}`;
}

/** Key builders of the layout above. */
export const keys = {
  user: (id: string) => ({ pk: `USER#${id}`, sk: 'PROFILE' }),
  /** The user's session sequence (`sessionSeq`), beside the profile so one Query reads both. */
  userSeq: (id: string) => ({ pk: `USER#${id}`, sk: 'PROFILE#SEQ' }),
  /** The sort-key prefix shared by the profile and its sequence item. */
  profilePrefix: 'PROFILE',
  claim: (emailCanonical: string) => ({ pk: `EMAIL#${emailCanonical}`, sk: 'CLAIM' }),
  session: (userId: string, sessionId: string) => ({ pk: `USER#${userId}`, sk: `SESSION#${sessionId}` }),
  token: (userId: string, kind: string) => ({ pk: `USER#${userId}`, sk: `TOKEN#${kind}` }),
  counter: (scope: string) => ({ pk: `COUNTER#${scope}`, sk: 'COUNTER' }),
  mailCap: (scope: string) => ({ pk: `MAILCAP#${scope}`, sk: 'MAILCAP' }),
  outbox: (id: string) => ({ pk: `OUTBOX#${id}`, sk: 'MAIL' }),
  totpPending: (userId: string) => ({ pk: `USER#${userId}`, sk: 'TOTP_PENDING' }),
  mfaChallenge: (userId: string, hash: string) => ({ pk: `USER#${userId}`, sk: `MFA#${hash}` }),
  /** An address SES reported as undeliverable, by its hash (`shared/ports/undeliverable.ts`). */
  undeliverable: (addressHash: string) => ({ pk: `UNDELIVERABLE#${addressHash}`, sk: 'UNDELIVERABLE' }),
  undeliverablePrefix: 'UNDELIVERABLE#',
  /** Social sign-in (`docs/specs/social-sign-in.md` §8): `state` / `pending` / `nonce` items, identities and their claims. */
  oauthItem: (kind: 'state' | 'pending' | 'nonce', hash: string) => {
    const name = { state: 'OAUTH_STATE', pending: 'OAUTH_PENDING', nonce: 'OAUTH_NONCE' }[kind];
    return { pk: `${name}#${hash}`, sk: name };
  },
  /** The hand-off's authorization code (`docs/specs/hosted-ui.md` §6). */
  oauth2Code: (hash: string) => ({ pk: `OAUTH2_CODE#${hash}`, sk: 'OAUTH2_CODE' }),
  identityClaim: (provider: string, sub: string) => ({ pk: `IDENTITY#${provider}#${sub}`, sk: 'CLAIM' }),
  identity: (userId: string, provider: string) => ({ pk: `USER#${userId}`, sk: `IDENTITY#${provider}` }),
  passkey: (userId: string, credentialId: string) => ({ pk: `USER#${userId}`, sk: `PASSKEY#${credentialId}` }),
  passkeyClaim: (credentialId: string) => ({ pk: `PASSKEY#${credentialId}`, sk: 'CLAIM' }),
  webauthnChallenge: (hash: string) => ({ pk: `WEBAUTHN#${hash}`, sk: 'WEBAUTHN' }),
  /** The prefix of outbox keys: the mail sender's event filter matches it. */
  outboxPrefix: 'OUTBOX#',
  /** Every partition of the users index. */
  usersShards: Array.from({ length: USERS_INDEX_SHARDS }, (_, n) => `USERS#${n}`),
  /** The single users-index partition of tables written before the index was sharded (see `docs/migrations.md`). */
  legacyUsersPartition: 'USERS',
};

/** `CreateTable` input for DynamoDB Local and tests (CDK builds the same from the definition). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const d = tableDefinition;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: d.partitionKey, AttributeType: 'S' },
      { AttributeName: d.sortKey, AttributeType: 'S' },
      { AttributeName: d.usersIndex.partitionKey, AttributeType: 'S' },
      { AttributeName: d.usersIndex.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: d.partitionKey, KeyType: 'HASH' },
      { AttributeName: d.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: d.usersIndex.name,
        KeySchema: [
          { AttributeName: d.usersIndex.partitionKey, KeyType: 'HASH' },
          { AttributeName: d.usersIndex.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
