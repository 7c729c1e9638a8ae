import { completeMfaWithPasskey, passkeyMfaOptions, passkeyReauthOptions, reauthenticateWithPasskey } from '../shared/flows/passkey-steps.js';
import {
  addPasskey,
  listMyPasskeys,
  passkeySignInOptions,
  removePasskey,
  renamePasskey,
  signInWithPasskey,
  startPasskeyRegistration,
} from '../shared/flows/passkeys.js';
import { httpFunction, json, noContent, principalOf } from '../shared/http/function.js';
import { requestInfo } from '../shared/http/request.js';
import { WITH_REQUEST_SCHEMAS } from '../shared/http/route-requests.js';
import { WITH_TOKEN_CHECK } from '../shared/http/token-check.js';
import { WITH_KEYS } from '../shared/runtime/key-ring-of.js';
import { WITH_COUNTERS, WITH_DATA_KEYS, WITH_MFA_WRITES, WITH_PASSKEY_WRITES } from '../shared/runtime/optional-adapters.js';
import { uiPasskeyEndpoints as ui } from '../shared/ui/passkey-endpoints.js';

/**
 * Passkeys (`docs/specs/mfa-and-passkeys.md` §7): the only function that bundles
 * `@simplewebauthn/server` (through `shared/flows/passkey-ceremony.ts`), the recorded exception
 * to the bundle-size goal (§13). Registration, list, rename and removal, passwordless sign-in.
 */
export const handler = httpFunction(
  'passkeys',
  {
    'POST /me/passkeys/options': async (request) =>
      json(200, await startPasskeyRegistration(request.deps, principalOf(request), request.body, requestInfo(request.event))),
    'POST /me/passkeys': async (request) => json(201, await addPasskey(request.deps, principalOf(request), request.body, requestInfo(request.event))),
    'GET /me/passkeys': async (request) => json(200, await listMyPasskeys(request.deps, principalOf(request))),
    'PATCH /me/passkeys/{id}': async (request) =>
      json(200, await renamePasskey(request.deps, principalOf(request), request.params.id, request.body, requestInfo(request.event))),
    'DELETE /me/passkeys/{id}': async (request) => {
      await removePasskey(request.deps, principalOf(request), request.params.id, request.body, requestInfo(request.event));
      return noContent();
    },
    'POST /session/passkey/options': async (request) => json(200, await passkeySignInOptions(request.deps)),
    'POST /session/passkey': async (request) => json(200, await signInWithPasskey(request.deps, request.body, requestInfo(request.event))),
    'POST /session/mfa/webauthn/options': async (request) => json(200, await passkeyMfaOptions(request.deps, request.body)),
    'POST /session/mfa/webauthn': async (request) => json(200, await completeMfaWithPasskey(request.deps, request.body, requestInfo(request.event))),
    'POST /session/reauthenticate/webauthn/options': async (request) => json(200, await passkeyReauthOptions(request.deps, principalOf(request))),
    'POST /session/reauthenticate/webauthn': async (request) =>
      json(200, await reauthenticateWithPasskey(request.deps, principalOf(request), request.body, requestInfo(request.event))),
    // The hosted pages' passkey endpoints (`docs/specs/hosted-ui.md` §5.3).
    'POST /ui/passkeys/sign-in/options': async (request) => ui.signInOptions(request.deps, request.event),
    'POST /ui/passkeys/sign-in': async (request) => ui.signIn(request.deps, request.event, request.body),
    'POST /ui/passkeys/mfa/options': async (request) => ui.mfaOptions(request.deps, request.event),
    'POST /ui/passkeys/mfa': async (request) => ui.mfa(request.deps, request.event, request.body),
    'POST /ui/passkeys/reauthenticate/options': async (request) => ui.reauthenticateOptions(request.deps, request.event),
    'POST /ui/passkeys/reauthenticate': async (request) => ui.reauthenticate(request.deps, request.event, request.body),
    'POST /ui/passkeys/add/options': async (request) => ui.addOptions(request.deps, request.event),
    'POST /ui/passkeys/add': async (request) => ui.add(request.deps, request.event, request.body),
  },
  {
    ...WITH_KEYS,
    ...WITH_MFA_WRITES,
    ...WITH_PASSKEY_WRITES,
    ...WITH_DATA_KEYS,
    ...WITH_COUNTERS,
    ...WITH_REQUEST_SCHEMAS,
    ...WITH_TOKEN_CHECK,
  },
);
