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
 * | user    | `USER#<id>`        | `PROFILE`         | gsi1: `USERS` / `<canonical email>#<id>`; `ttl` while never confirmed |
 * | claim   | `EMAIL#<canonical>`| `CLAIM`           | uniqueness of the canonical email; `ttl` as its user's |
 * | session | `USER#<id>`        | `SESSION#<sid>`   | `ttl` = the session's deadline           |
 * | token   | `USER#<id>`        | `TOKEN#<kind>`    | one per user and kind; only its hash     |
 * | counter | `COUNTER#<scope>`  | `COUNTER`         | failed sign-ins; `ttl` = window end      |
 * | mail cap| `MAILCAP#<scope>`  | `MAILCAP`         | mails per kind and hashed recipient      |
 * | outbox  | `OUTBOX#<id>`      | `MAIL`            | a mail for the sender; short `ttl`       |
 * | TOTP enrolment | `USER#<id>` | `TOTP_PENDING`   | encrypted secret; `ttl` = its expiry     |
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

/** Key builders of the layout above. */
export const keys = {
  user: (id: string) => ({ pk: `USER#${id}`, sk: 'PROFILE' }),
  claim: (emailCanonical: string) => ({ pk: `EMAIL#${emailCanonical}`, sk: 'CLAIM' }),
  session: (userId: string, sessionId: string) => ({ pk: `USER#${userId}`, sk: `SESSION#${sessionId}` }),
  token: (userId: string, kind: string) => ({ pk: `USER#${userId}`, sk: `TOKEN#${kind}` }),
  counter: (scope: string) => ({ pk: `COUNTER#${scope}`, sk: 'COUNTER' }),
  mailCap: (scope: string) => ({ pk: `MAILCAP#${scope}`, sk: 'MAILCAP' }),
  outbox: (id: string) => ({ pk: `OUTBOX#${id}`, sk: 'MAIL' }),
  totpPending: (userId: string) => ({ pk: `USER#${userId}`, sk: 'TOTP_PENDING' }),
  passkey: (userId: string, credentialId: string) => ({ pk: `USER#${userId}`, sk: `PASSKEY#${credentialId}` }),
  passkeyClaim: (credentialId: string) => ({ pk: `PASSKEY#${credentialId}`, sk: 'CLAIM' }),
  webauthnChallenge: (hash: string) => ({ pk: `WEBAUTHN#${hash}`, sk: 'WEBAUTHN' }),
  /** The prefix of outbox keys: the mail sender's event filter matches it. */
  outboxPrefix: 'OUTBOX#',
  usersPartition: 'USERS',
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
