import type { Deps } from '../flows/deps.js';

/**
 * The container's full deps, once built (`lambda-deps.ts`) or injected (`useDeps`: benchmarks
 * and in-process tests). A module of its own, without imports of adapters, so that the small
 * composition roots (the authorizer's, the `not-found` function) can use deps the process
 * already has without bundling the full root.
 */
let current: Deps | undefined;
/** Whether `current` was built by the composition root (not injected, whose deps are taken as they are). */
let built = false;

export const container = {
  get current(): Deps | undefined {
    return current;
  },
  get built(): boolean {
    return built;
  },
  set(deps: Deps, byRoot: boolean): void {
    current = deps;
    built = byRoot;
  },
};

/** The container's deps if something built or injected them already. */
export function existingDeps(): Deps | undefined {
  return current;
}
