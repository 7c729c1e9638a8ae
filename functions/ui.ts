import { WITH_LEGACY_PASSWORDS } from '../shared/runtime/optional-adapters.js';
import { uiHandler } from '../shared/ui/handler.js';

/** The hosted pages (docs/hosted-ui.md): server-rendered forms over the flows. */
export const handler = uiHandler(WITH_LEGACY_PASSWORDS);
