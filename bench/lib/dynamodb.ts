/**
 * DynamoDB Local for rows 2, 4 and 7, and SDK middleware that counts what the store sends.
 * Product code stays unchanged: the middleware goes on the client the bench hands to
 * `DynamoDbStore`, the same way CDK's functions get theirs from `createDocumentClient`.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, startDynamoDbLocal } from '../../infra/local/services.js';
import { DynamoDbCounters } from '../../shared/adapters/dynamodb/counters.js';
import { DynamoDbStore } from '../../shared/adapters/dynamodb/store.js';
import { createDocumentClient } from '../../shared/runtime/lambda-deps.js';

export interface LocalDynamo {
  endpoint: string;
  tableName: string;
  /** A store on a client whose every request is counted by `meter`. */
  meteredStore(): { store: DynamoDbStore; counters: DynamoDbCounters; meter: DynamoMeter; client: DynamoDBDocumentClient };
  stop(): Promise<void>;
}

/** Counts of what went over the wire since the last `reset`. */
export interface MeterReading {
  /** HTTP requests to DynamoDB, retries included. */
  roundTrips: number;
  /** Commands sent, by name. */
  commands: Record<string, number>;
  readUnits: number;
  writeUnits: number;
}

const READ_COMMANDS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/** Counts round trips and sums `ConsumedCapacity`, which it asks for on every command. */
export class DynamoMeter {
  private reading: MeterReading = DynamoMeter.empty();

  private static empty(): MeterReading {
    return { roundTrips: 0, commands: {}, readUnits: 0, writeUnits: 0 };
  }

  read(): MeterReading {
    return { ...this.reading, commands: { ...this.reading.commands } };
  }

  reset(): void {
    this.reading = DynamoMeter.empty();
  }

  /** Adds the middleware to a client (the document client shares its stack with the base client). */
  attach(client: DynamoDBDocumentClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        input.ReturnConsumedCapacity = 'TOTAL';
        const name = context.commandName ?? 'unknown';
        this.reading.commands[name] = (this.reading.commands[name] ?? 0) + 1;
        const result = await next(args);
        this.add(name, (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity);
        return result;
      },
      { step: 'initialize', name: 'benchCapacityMeter' },
    );
    // `deserialize` runs once per HTTP attempt (inside the retry loop): the round trips.
    client.middlewareStack.add(
      (next) => async (args) => {
        this.reading.roundTrips += 1;
        return next(args);
      },
      { step: 'deserialize', name: 'benchRoundTripCounter' },
    );
  }

  private add(command: string, consumed: Capacity | Capacity[] | undefined): void {
    for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      if (c.ReadCapacityUnits !== undefined || c.WriteCapacityUnits !== undefined) {
        this.reading.readUnits += c.ReadCapacityUnits ?? 0;
        this.reading.writeUnits += c.WriteCapacityUnits ?? 0;
      } else if (READ_COMMANDS.has(command)) {
        this.reading.readUnits += c.CapacityUnits ?? 0;
      } else {
        this.reading.writeUnits += c.CapacityUnits ?? 0;
      }
    }
  }
}

/** Starts DynamoDB Local in memory and creates the table from the shared definition. */
export async function startLocalDynamo(tableName = 'latch-bench'): Promise<LocalDynamo> {
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  // One more try: on a loaded machine the JVM can miss the start-up deadline once.
  const service = await startDynamoDbLocal().catch(() => startDynamoDbLocal());
  await ensureTable(service.url, tableName);
  return {
    endpoint: service.url,
    tableName,
    meteredStore: () => {
      const client = createDocumentClient({ LATCH_DYNAMODB_ENDPOINT: service.url });
      const meter = new DynamoMeter();
      meter.attach(client);
      return { store: new DynamoDbStore(client, tableName), counters: new DynamoDbCounters(client, tableName), meter, client };
    },
    stop: () => service.stop(),
  };
}
