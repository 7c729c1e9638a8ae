import type { SESClient } from '@aws-sdk/client-ses';
import type { Mailer, MailMessage } from '../../ports/services.js';
import { translateAwsError } from '../dynamodb/errors.js';

/**
 * {@link Mailer} over Amazon SES (`SendEmail`, text and HTML parts). The SDK client is loaded on
 * first use, so functions that never mail do not pay for it at cold start.
 */
export class SesMailer implements Mailer {
  private client: Promise<{ client: SESClient; SendEmailCommand: typeof import('@aws-sdk/client-ses').SendEmailCommand }> | undefined;

  constructor(
    private readonly from: string,
    private readonly clientConfig: { region?: string; endpoint?: string; configurationSet?: string } = {},
  ) {}

  private load() {
    this.client ??= import('@aws-sdk/client-ses').then(({ SESClient, SendEmailCommand }) => ({
      client: new SESClient({
        ...(this.clientConfig.region ? { region: this.clientConfig.region } : {}),
        ...(this.clientConfig.endpoint ? { endpoint: this.clientConfig.endpoint } : {}),
        maxAttempts: 2,
      }),
      SendEmailCommand,
    }));
    return this.client;
  }

  async send(message: MailMessage): Promise<void> {
    const { client, SendEmailCommand } = await this.load();
    try {
      await client.send(
        new SendEmailCommand({
          Source: this.from,
          // Bounces and complaints go to the SES feedback function (docs/mail.md).
          ...(this.clientConfig.configurationSet ? { ConfigurationSetName: this.clientConfig.configurationSet } : {}),
          Destination: { ToAddresses: [message.to] },
          Message: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
          },
        }),
      );
    } catch (error) {
      translateAwsError(error);
    }
  }
}
