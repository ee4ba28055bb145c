/** Throws the AbortError that createAnimation turns into a 'cancelled' ToolError. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new DOMException('cancelled', 'AbortError');
}

/** A cancel (AbortController or throwIfAborted), not a failure. */
export function isAbortError(err: unknown): boolean {
  return (err as Error)?.name === 'AbortError';
}
