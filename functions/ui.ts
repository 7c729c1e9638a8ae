import { WITH_KEYS } from '../shared/runtime/key-ring-of.js';
import {
  WITH_AUDIT_LOG,
  WITH_COUNTERS,
  WITH_DATA_KEYS,
  WITH_LEGACY_PASSWORDS,
  WITH_MFA_WRITES,
  WITH_OAUTH,
  WITH_OAUTH_WRITES,
  WITH_OAUTH2_WRITES,
  WITH_PASSKEY_WRITES,
  WITH_PASSWORD_LISTS,
  WITH_UI_CLIENTS,
  WITH_UI_THEME,
} from '../shared/runtime/optional-adapters.js';
import { uiHandler } from '../shared/ui/handler.js';

/**
 * The hosted pages (docs/hosted-ui.md): server-rendered forms over the flows. Its routes are the
 * `function: 'ui'` rows of `shared/http/routes.ts` (every page, the hand-off's browser endpoints,
 * the assets and the catch-all `GET /ui/{proxy+}`); `shared/ui/app.ts` maps each page row to its
 * handler, checked by the compiler.
 */
export const handler = uiHandler({
  ...WITH_KEYS,
  ...WITH_LEGACY_PASSWORDS,
  ...WITH_OAUTH,
  ...WITH_MFA_WRITES,
  ...WITH_OAUTH_WRITES,
  ...WITH_OAUTH2_WRITES,
  ...WITH_PASSKEY_WRITES,
  ...WITH_AUDIT_LOG,
  ...WITH_DATA_KEYS,
  ...WITH_COUNTERS,
  ...WITH_PASSWORD_LISTS,
  ...WITH_UI_CLIENTS,
  ...WITH_UI_THEME,
});
