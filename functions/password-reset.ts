import { messages } from '../shared/domain/messages.js';
import { checkResetToken, requestPasswordReset, resetPassword } from '../shared/flows/password-reset.js';
import { httpFunction, json } from '../shared/http/function.js';
import { requestInfo } from '../shared/http/request.js';
import { WITH_REQUEST_SCHEMAS } from '../shared/http/route-requests.js';
import { WITH_COUNTERS, WITH_PASSWORD_LISTS } from '../shared/runtime/optional-adapters.js';

/** Password reset: ask for a link (202 whatever the email), check a link, use it. */
export const handler = httpFunction(
  'password-reset',
  {
    'POST /password-reset': async ({ event, body, deps }) => {
      await requestPasswordReset(deps, body, requestInfo(event));
      return json(202, { message: messages.passwordResetRequested });
    },
    'GET /password-reset/{token}': async ({ params, deps }) => json(200, await checkResetToken(deps, params.token)),
    'POST /password-reset/{token}': async ({ event, params, body, deps }) => {
      await resetPassword(deps, params.token, body, requestInfo(event));
      return json(200, { message: messages.passwordResetDone });
    },
  },
  { ...WITH_COUNTERS, ...WITH_PASSWORD_LISTS, ...WITH_REQUEST_SCHEMAS },
);
