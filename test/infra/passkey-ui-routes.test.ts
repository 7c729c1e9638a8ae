import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routeKey, routes } from '../../shared/http/routes.js';
import { synthLatch } from './synth.js';
import { routeTargets } from './template.js';

/** The hosted pages' passkey endpoints (`docs/specs/hosted-ui.md` §5.3) go to `passkeys`, and only with `hostedUi`. */
test('with hostedUi, every POST /ui/passkeys/* route targets the passkeys function (more specific than the catch-all GET /ui/{proxy+} of the pages)', () => {
  const { json, functionLogicalId } = synthLatch({ context: { hostedUi: { appName: 'Example App' } } });
  const targets = routeTargets(json);
  const uiPasskeys = routes.filter((route) => route.path.startsWith('/ui/passkeys/'));
  assert.equal(uiPasskeys.length, 8);
  for (const route of uiPasskeys) assert.equal(targets.get(routeKey(route)), functionLogicalId('passkeys'), routeKey(route));
});
