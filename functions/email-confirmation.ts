import { messages } from '../shared/domain/messages.js';
import { confirmEmail, resendConfirmation } from '../shared/flows/email-confirmation.js';
import { httpFunction, json } from '../shared/http/function.js';
import { requestInfo } from '../shared/http/request.js';
import { WITH_REQUEST_SCHEMAS } from '../shared/http/route-requests.js';

/** Confirmation links and re-sending them. */
export const handler = httpFunction(
  'email-confirmation',
  {
    'POST /email-confirmation/{token}': async ({ event, params, deps }) => json(200, { user: await confirmEmail(deps, params.token, requestInfo(event)) }),
    'POST /email-confirmation/resend': async ({ body, deps }) => {
      await resendConfirmation(deps, body);
      return json(202, { message: messages.confirmationResent });
    },
  },
  WITH_REQUEST_SCHEMAS,
);
