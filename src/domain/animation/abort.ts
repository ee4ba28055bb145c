/** Throws the AbortError that createAnimation turns into a 'cancelled' ToolError. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new DOMException('cancelled', 'AbortError');
}
