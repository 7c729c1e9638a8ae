import { uiHandler } from '../shared/ui/handler.js';

/** The hosted pages (docs/hosted-ui.md): server-rendered forms over the flows. */
export const handler = uiHandler();
