/**
 * Human texts. They follow Pow's wording where Pow has one; clients switch on `code`, never on
 * these, so they may later be translated.
 */
export const messages = {
  invalidCredentials: 'The provided login details did not work. Please verify your credentials, and try again.',
  accountLocked: 'Sorry, your account is locked.',
  emailNotConfirmed: 'You must confirm your e-mail before you can sign in. A new confirmation e-mail has been sent.',
  unauthorized: 'A valid access token is required.',
  forbidden: 'You are not allowed to do this.',
  notFound: 'Not found.',
  methodNotAllowed: 'This method is not allowed here.',
  invalidToken: 'The link is invalid or has expired.',
  tooManyAttempts: 'Too many failed sign-in attempts. Please try again later.',
  payloadTooLarge: 'The request body is too large.',
  unsupportedMediaType: 'The request body must be JSON, sent with Content-Type: application/json.',
  serviceUnavailable: 'A dependency is unavailable. Please try again shortly.',
  registrationPending: 'If the address can be registered, a message has been sent to it. Please check your e-mail.',
  passwordResetRequested: 'If an account for the provided e-mail exists, you will receive an e-mail with instructions for resetting your password.',
  passwordResetDone: 'The password has been updated. Please sign in with your new password.',
  confirmationResent: 'If an account with an unconfirmed e-mail exists, a confirmation message has been sent.',
  field: {
    blank: "can't be blank",
    invalidFormat: 'has invalid format',
    taken: 'has already been taken',
    tooShort: (n: number) => `should be at least ${n} character(s)`,
    tooLong: (n: number) => `should be at most ${n} character(s)`,
    mismatch: 'does not match confirmation',
    tooCommon: 'is too common; choose a less common password',
    contextWord: 'is too similar to your e-mail address or the name of this service',
    breached: 'has appeared in a data breach',
    invalid: 'is invalid',
    notEditable: 'cannot be changed',
    wrongType: (type: string) => `must be a ${type}`,
  },
} as const;
