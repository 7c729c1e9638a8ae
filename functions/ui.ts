import type { RouteKeyOf } from '../shared/http/routes.js';
import { WITH_LEGACY_PASSWORDS, WITH_OAUTH } from '../shared/runtime/optional-adapters.js';
import { uiHandler } from '../shared/ui/handler.js';

/**
 * The hosted pages (docs/hosted-ui.md): server-rendered forms over the flows, on `ANY /ui/{proxy+}`
 * and `ANY /ui`, plus the hand-off's browser endpoints of the route table.
 */
export const served = ['GET /oauth2/authorize', 'GET /oauth2/logout'] as const satisfies ReadonlyArray<RouteKeyOf<'ui'>>;

export const handler = uiHandler({ ...WITH_LEGACY_PASSWORDS, ...WITH_OAUTH });
