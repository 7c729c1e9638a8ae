import { PlannedDynamoDbStore } from '../adapters/dynamodb/planned-store.js';
import { DynamoDbUndeliverable } from '../adapters/dynamodb/undeliverable.js';
import { metricsOf } from '../adapters/metrics/emf.js';
import { SesMailer } from '../adapters/ses/mailer.js';
import { loadConfigWith } from '../config.js';
import type { MailSenderDeps } from '../flows/mail-sender.js';
import { lazyHooks } from '../hooks/load.js';
import { loadMailTemplates } from '../mail/overrides.js';
import { createDocumentClient } from './documents.js';
import { createLog } from './logger.js';

type Env = Record<string, string | undefined>;

/**
 * The mail sender's composition root: the table (to delete sent items), the mail templates it
 * renders queued mail with, SES and the deployer's hooks (`renderMail`, `sendMail`). No signing keys and no hasher: the sender needs neither.
 */
export function buildMailSenderDeps(env: Env = process.env): MailSenderDeps {
  const tableName = env.LATCH_TABLE_NAME;
  if (!tableName) throw new Error('LATCH_TABLE_NAME is not set');
  // No section of `ConfigSections`: the sender reads none.
  const config = loadConfigWith(env, {});
  const documents = createDocumentClient(env);
  return {
    // The core write plans: the sender deletes the mail it sent.
    store: new PlannedDynamoDbStore(documents, tableName),
    mailer: new SesMailer(config.mailFrom, {
      ...(env.LATCH_SES_ENDPOINT ? { endpoint: env.LATCH_SES_ENDPOINT } : {}),
      ...(env.LATCH_SES_CONFIGURATION_SET ? { configurationSet: env.LATCH_SES_CONFIGURATION_SET } : {}),
    }),
    // SES feedback marks (functions/ses-feedback.ts): a marked address gets no mail.
    undeliverable: new DynamoDbUndeliverable(documents, tableName),
    metrics: metricsOf(env),
    // The sender renders queued mail: the built-in templates with the deployment's overrides
    // (`LATCH_MAIL_TEMPLATES`; a bad file fails the cold start).
    templates: loadMailTemplates(env),
    log: createLog(),
    hooks: env.LATCH_HOOKS_MODULE ? lazyHooks(env.LATCH_HOOKS_MODULE) : undefined,
  };
}

let current: MailSenderDeps | undefined;

/** The container's sender deps, built once. */
export function getMailSenderDeps(): MailSenderDeps {
  current ??= buildMailSenderDeps();
  return current;
}

/** Replaces the container's sender deps (in-process tests with injected faults). */
export function useMailSenderDeps(deps: MailSenderDeps | undefined): void {
  current = deps;
}
