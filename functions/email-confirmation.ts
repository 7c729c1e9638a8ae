import { messages } from '../shared/domain/messages.js';
import { confirmEmail, resendConfirmation } from '../shared/flows/email-confirmation.js';
import { httpFunction, json } from '../shared/http/function.js';

/** Confirmation links and re-sending them. */
export const handler = httpFunction('email-confirmation', {
  'POST /email-confirmation/{token}': async ({ params, deps }) => json(200, { user: await confirmEmail(deps, params.token) }),
  'POST /email-confirmation/resend': async ({ body, deps }) => {
    await resendConfirmation(deps, body);
    return json(202, { message: messages.confirmationResent });
  },
});
