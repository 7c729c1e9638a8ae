import { messages } from '../shared/domain/messages.js';
import {
  createFromPending,
  finishAuthorization,
  issueNonce,
  linkPending,
  listProviders,
  myIdentities,
  type OAuthOutcome,
  signInWithIdToken,
  startAuthorization,
  unlinkMine,
} from '../shared/flows/oauth.js';
import { httpFunction, json, noContent, principalOf, type Result } from '../shared/http/function.js';
import { requestInfo } from '../shared/http/request.js';
import { WITH_REQUEST_SCHEMAS } from '../shared/http/route-requests.js';
import { WITH_TOKEN_CHECK } from '../shared/http/token-check.js';
import { WITH_KEYS } from '../shared/runtime/key-ring-of.js';
import { WITH_COUNTERS, WITH_DATA_KEYS, WITH_MFA_WRITES, WITH_OAUTH, WITH_OAUTH_WRITES } from '../shared/runtime/optional-adapters.js';

/** The HTTP answer of a social sign-in outcome (`docs/specs/social-sign-in.md` §4.3). */
function answer(outcome: OAuthOutcome): Result {
  switch (outcome.kind) {
    case 'signedIn':
      return json(outcome.status, outcome.tokens);
    case 'pending':
      return json(202, { message: messages.registrationPending });
    case 'linked':
      return json(outcome.status, { identity: outcome.identity });
    case 'reauthenticated':
      return json(200, { reauthenticatedUntil: outcome.reauthenticatedUntil, aal: outcome.aal });
  }
}

/** Social sign-in: the redirect flow, native ID tokens and the caller's identities. */
export const handler = httpFunction(
  'oauth',
  {
    'GET /oauth/providers': async ({ deps }) => json(200, listProviders(deps)),
    'POST /oauth/{provider}/authorize': async ({ deps, params, body, principal, event }) =>
      json(200, await startAuthorization(deps, params.provider, body, principal, requestInfo(event))),
    'POST /oauth/{provider}/callback': async ({ deps, params, body, principal, event }) =>
      answer(await finishAuthorization(deps, params.provider, body, principal, requestInfo(event))),
    'POST /oauth/{provider}/create': async ({ deps, params, body, event }) => answer(await createFromPending(deps, params.provider, body, requestInfo(event))),
    'POST /oauth/{provider}/nonce': async ({ deps, params }) => json(200, await issueNonce(deps, params.provider)),
    'POST /oauth/{provider}/id-token': async ({ deps, params, body, principal, event }) =>
      answer(await signInWithIdToken(deps, params.provider, body, principal, requestInfo(event))),
    'GET /me/identities': async (request) => json(200, await myIdentities(request.deps, principalOf(request))),
    'POST /me/identities': async (request) => answer(await linkPending(request.deps, principalOf(request), request.body, requestInfo(request.event))),
    'DELETE /me/identities/{provider}': async (request) => {
      await unlinkMine(request.deps, principalOf(request), request.params.provider, request.body, requestInfo(request.event));
      return noContent();
    },
  },
  { ...WITH_KEYS, ...WITH_OAUTH, ...WITH_MFA_WRITES, ...WITH_OAUTH_WRITES, ...WITH_DATA_KEYS, ...WITH_COUNTERS, ...WITH_REQUEST_SCHEMAS, ...WITH_TOKEN_CHECK },
);
