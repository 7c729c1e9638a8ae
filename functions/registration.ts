import { messages } from '../shared/domain/messages.js';
import { register } from '../shared/flows/registration.js';
import { httpFunction, json } from '../shared/http/function.js';
import { requestInfo } from '../shared/http/request.js';
import { WITH_REQUEST_SCHEMAS } from '../shared/http/route-requests.js';
import { WITH_KEYS } from '../shared/runtime/key-ring-of.js';
import { WITH_PASSWORD_LISTS } from '../shared/runtime/optional-adapters.js';

/** `POST /registration`: 202 (the same for new and taken emails) or, without confirmation, 201. */
export const handler = httpFunction(
  'registration',
  {
    'POST /registration': async ({ event, body, raw, deps }) => {
      // The raw body too: custom attributes are top-level members the schema does not know.
      const result = await register(deps, { ...body, body: raw }, requestInfo(event));
      if (result.kind === 'signedIn') return json(201, result.tokens);
      return json(202, { message: messages.registrationPending });
    },
  },
  { ...WITH_KEYS, ...WITH_PASSWORD_LISTS, ...WITH_REQUEST_SCHEMAS },
);
