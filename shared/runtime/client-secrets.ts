/**
 * Confidential hand-off clients' secrets (`docs/specs/hosted-ui.md` §6): `{ secretArn }` from
 * Secrets Manager (the `oauth2-token` function may read exactly those ARNs), `{ env }` from a
 * variable. Loaded on first use and kept for the container's life; a failed load is retried.
 */
import { readSecret } from '../adapters/secrets/key-secret.js';
import type { UiClient } from '../domain/oauth2.js';
import type { ClientSecretOf } from '../flows/oauth2.js';

export function clientSecrets(env: Record<string, string | undefined> = process.env): ClientSecretOf {
  const cache = new Map<string, Promise<string>>();
  return (client: UiClient) => {
    const source = client.clientSecret;
    if (!source) return Promise.reject(new Error(`client ${client.clientId} has no secret`));
    const key = 'secretArn' in source ? `arn:${source.secretArn}` : `env:${source.env}`;
    let loading = cache.get(key);
    if (!loading) {
      if ('secretArn' in source) loading = readSecret(source.secretArn, `client ${client.clientId}`);
      else {
        const value = env[source.env];
        loading = value ? Promise.resolve(value) : Promise.reject(new Error(`client ${client.clientId}: the variable ${source.env} is not set`));
      }
      cache.set(key, loading);
      loading.catch(() => cache.delete(key));
    }
    return loading;
  };
}
