/**
 * The host's platform calls: one fetch every connector's platform call goes through, which the
 * host can abort at its stop deadline.
 * @module
 */

/**
 * The token of the controller aborted at the stop deadline: every platform call (and forward)
 * still in flight then is cut (see {@link abortablePlatformFetch}). Bound once by `createHost`.
 */
export const PlatformCalls = Symbol.for('switchboard.PlatformCalls');
/** Aborted at the host's stop deadline. */
export type PlatformCalls = AbortController;

/**
 * A fetch for platform calls that every call can be aborted through at once, whatever signal the
 * connector gave it (its own timeout stays in force).
 * @param signal - aborted when the host gives up on its platform calls (at its stop deadline)
 * @param base - the fetch to call (default the global one, looked up at each call)
 * @returns the fetch to bind as core's `PlatformFetch`
 */
export function abortablePlatformFetch(signal: AbortSignal, base?: typeof fetch): typeof fetch {
  return (input, init) => {
    const own = init?.signal;
    return (base ?? globalThis.fetch)(input, { ...init, signal: own ? AbortSignal.any([own, signal]) : signal });
  };
}
