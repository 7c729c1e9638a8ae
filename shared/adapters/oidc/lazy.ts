import type { OAuthProviderConfig } from '../../domain/oauth.js';
import type { OAuthProviders } from '../../ports/oauth-providers.js';
import type { Log } from '../../ports/services.js';

/**
 * The relying party, loaded on first use. Only the `oauth` function composes it
 * (`WITH_OAUTH` in `shared/runtime/optional-adapters.ts`), so only its bundle holds openid-client.
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
