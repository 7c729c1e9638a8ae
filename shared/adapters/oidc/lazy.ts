import type { OAuthProviderConfig } from '../../domain/oauth.js';
import type { OAuthProviders } from '../../ports/oauth-providers.js';
import type { Log } from '../../ports/services.js';

/**
 * The relying party, loaded on first use: `openid-client` is bundled into every function that
 * imports the composition root, but only the `oauth` function ever loads it.
 */
export function lazyOAuthProviders(
  providers: readonly OAuthProviderConfig[],
  options: { timeoutMs: number; env?: Record<string, string | undefined>; log?: Log },
): OAuthProviders {
  let loaded: Promise<OAuthProviders> | undefined;
  const get = () => {
    loaded ??= import('./providers.js').then((m) => new m.OpenIdProviders(providers, options));
    return loaded;
  };
  return {
    list: () => providers,
    authorizationUrl: async (provider, request) => (await get()).authorizationUrl(provider, request),
    finish: async (provider, request) => (await get()).finish(provider, request),
    verifyIdToken: async (provider, idToken, nonce) => (await get()).verifyIdToken(provider, idToken, nonce),
  };
}

/**
 * The relying party for a function's configuration, or undefined without providers: what the
 * `oauth` function (and `ui` with the hosted pages) needs in `deps.oauth`. A composition root
 * that leaves it out of the other functions calls this for those two only, e.g.
 * `oauthProvidersFor(config, process.env, log)`.
 */
export function oauthProvidersFor(
  config: { oauthProviders: readonly OAuthProviderConfig[]; oauthHttpTimeoutMs: number },
  env: Record<string, string | undefined>,
  log?: Log,
): OAuthProviders | undefined {
  return config.oauthProviders.length > 0
    ? lazyOAuthProviders(config.oauthProviders, { timeoutMs: config.oauthHttpTimeoutMs, env, ...(log ? { log } : {}) })
    : undefined;
}
