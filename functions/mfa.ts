import { regenerateRecoveryCodes } from '../shared/flows/mfa-recovery-codes.js';
import { completeMfa } from '../shared/flows/mfa-second-step.js';
import { confirmTotp, disableTotp, getMfaStatus, startTotpEnrollment } from '../shared/flows/mfa-totp.js';
import { reauthenticate } from '../shared/flows/reauthenticate.js';
import { httpFunction, json, noContent, principalOf } from '../shared/http/function.js';
import { requestInfo } from '../shared/http/request.js';
import { WITH_REQUEST_SCHEMAS } from '../shared/http/route-requests.js';
import { WITH_TOKEN_CHECK } from '../shared/http/token-check.js';
import { WITH_KEYS } from '../shared/runtime/key-ring-of.js';
import { WITH_COUNTERS, WITH_DATA_KEYS, WITH_MFA_WRITES } from '../shared/runtime/optional-adapters.js';

/** Second factor and step-up (`docs/specs/mfa-and-passkeys.md` §4, §6): TOTP, recovery codes, `POST /session/reauthenticate`. */
export const handler = httpFunction(
  'mfa',
  {
    'POST /session/mfa': async (request) => json(200, await completeMfa(request.deps, request.body, requestInfo(request.event))),
    'POST /session/reauthenticate': async (request) =>
      json(200, await reauthenticate(request.deps, principalOf(request), request.body, requestInfo(request.event))),
    'GET /me/mfa': async (request) => json(200, await getMfaStatus(request.deps, principalOf(request))),
    'POST /me/mfa/totp': async (request) => json(201, await startTotpEnrollment(request.deps, principalOf(request), request.body, requestInfo(request.event))),
    'POST /me/mfa/totp/confirm': async (request) => json(200, await confirmTotp(request.deps, principalOf(request), request.body, requestInfo(request.event))),
    'DELETE /me/mfa/totp': async (request) => {
      await disableTotp(request.deps, principalOf(request), request.body, requestInfo(request.event));
      return noContent();
    },
    'POST /me/mfa/recovery-codes': async (request) =>
      json(201, await regenerateRecoveryCodes(request.deps, principalOf(request), request.body, requestInfo(request.event))),
  },
  { ...WITH_KEYS, ...WITH_MFA_WRITES, ...WITH_DATA_KEYS, ...WITH_COUNTERS, ...WITH_REQUEST_SCHEMAS, ...WITH_TOKEN_CHECK },
);
