/**
 * SES notifications as SES publishes them to SNS (shapes from the SES developer guide: "Amazon
 * SNS notification contents" for identity notifications, "Event publishing" for configuration-set
 * events, which Latch's configuration set sends), and the SNS event Lambda receives.
 */

/** A configuration-set bounce event (`eventType`), as Latch's configuration set publishes it. */
export function bounceEvent(recipients: string[], bounceType: 'Permanent' | 'Transient' | 'Undetermined' = 'Permanent', bounceSubType = 'General') {
  return {
    eventType: 'Bounce',
    bounce: {
      feedbackId: '0100017a8b7e3f0a-3f5f5bd4-1d2d-4b55-9a0a-1f7c2b1d1c7e-000000',
      bounceType,
      bounceSubType,
      bouncedRecipients: recipients.map((emailAddress) => ({
        emailAddress,
        action: 'failed',
        status: '5.1.1',
        diagnosticCode: 'smtp; 550 5.1.1 user unknown',
      })),
      timestamp: '2026-12-03T10:20:30.000Z',
      reportingMTA: 'dsn; a8-12.smtp-out.amazonses.com',
    },
    mail: {
      timestamp: '2026-12-03T10:20:29.000Z',
      source: 'no-reply@acme.test',
      sourceArn: 'arn:aws:ses:eu-west-1:111111111111:identity/acme.test',
      sendingAccountId: '111111111111',
      messageId: '0100017a8b7e3e5f-9c5d2e2f-1c4a-4b7e-9f3b-2d9c6a7c3e1b-000000',
      destination: recipients,
      headersTruncated: false,
      tags: { 'ses:configuration-set': ['LatchConfigurationSet'] },
    },
  };
}

/** An identity notification (`notificationType`) of a complaint, the older shape. */
export function complaintNotification(recipients: string[], complaintFeedbackType = 'abuse') {
  return {
    notificationType: 'Complaint',
    complaint: {
      userAgent: 'ExampleCorp Feedback Loop (V0.01)',
      complainedRecipients: recipients.map((emailAddress) => ({ emailAddress })),
      complaintFeedbackType,
      arrivalDate: '2026-12-03T10:21:00.000Z',
      timestamp: '2026-12-03T10:21:01.000Z',
      feedbackId: '000001378603177f-18c07c78-fa81-4a58-9dd1-fedc3cb8f49a-000000',
    },
    mail: {
      timestamp: '2026-12-03T10:20:29.000Z',
      messageId: '000001378603176d-5a4b5ad9-6f30-4198-a8c3-b1eb0c270a1d-000000',
      source: 'no-reply@acme.test',
      destination: recipients,
    },
  };
}

/** A delivery event: nothing to mark. */
export function deliveryEvent(recipients: string[]) {
  return { eventType: 'Delivery', delivery: { timestamp: '2026-12-03T10:20:31.000Z', recipients, smtpResponse: '250 ok' }, mail: { destination: recipients } };
}

/** The SNS event Lambda receives for one notification. */
export function snsEventOf(...notifications: unknown[]) {
  return {
    Records: notifications.map((notification, i) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:eu-west-1:111111111111:LatchSesFeedback:7f3c2a1e-0000-4000-8000-000000000000',
      Sns: {
        Type: 'Notification',
        MessageId: `95df01b4-ee98-5cb9-9903-4c221d41eb5${i}`,
        TopicArn: 'arn:aws:sns:eu-west-1:111111111111:LatchSesFeedback',
        Subject: null,
        Message: JSON.stringify(notification),
        Timestamp: '2026-12-03T10:20:31.000Z',
        SignatureVersion: '1',
        Signature: 'EXAMPLE',
        SigningCertUrl: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
        UnsubscribeUrl: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe',
        MessageAttributes: {},
      },
    })),
  };
}
