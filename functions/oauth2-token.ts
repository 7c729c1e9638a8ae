import { oauth2TokenHandler } from '../shared/http/oauth2-token.js';
import type { RouteKeyOf } from '../shared/http/routes.js';
import { clientSecrets } from '../shared/runtime/client-secrets.js';
import { WITH_KEYS } from '../shared/runtime/key-ring-of.js';
import { getDeps } from '../shared/runtime/lambda-deps.js';
import { WITH_OAUTH2_WRITES, WITH_UI_CLIENTS } from '../shared/runtime/optional-adapters.js';

/** The hand-off's token endpoint (docs/specs/hosted-ui.md §6). */
export const served = ['POST /oauth2/token'] as const satisfies ReadonlyArray<RouteKeyOf<'oauth2-token'>>;

export const handler = oauth2TokenHandler(() => getDeps({ ...WITH_KEYS, ...WITH_OAUTH2_WRITES, ...WITH_UI_CLIENTS }), clientSecrets());
