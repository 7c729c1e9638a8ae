// oidc-provider ships no types; the test OP (`oidc-provider.ts`) uses a small part of it.
declare module 'oidc-provider' {
  // biome-ignore lint/suspicious/noExplicitAny: untyped package, used only by the test OP
  const Provider: any;
  export default Provider;
}
