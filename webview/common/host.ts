// The webview's side of messaging: a typed wrapper over acquireVsCodeApi().
import { PartsReceiver } from '../../src/protocol/parts';

interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): void;
}
declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

export interface HostChannel<In, Out, State> {
  post(message: Out): void;
  onMessage(handler: (message: In) => void): void;
  getState(): State | undefined;
  setState(state: State): void;
}

export function connectToHost<In, Out, State>(): HostChannel<In, Out, State> {
  const api = acquireVsCodeApi<State>();
  return {
    post: (message) => api.postMessage(message),
    onMessage: (handler) => {
      // Large messages come in parts (src/protocol/parts.ts); the handler sees them whole.
      const parts = new PartsReceiver();
      window.addEventListener('message', (e: MessageEvent) => {
        let m: unknown;
        try {
          m = parts.accept(e.data);
        } catch (err) {
          m = { type: 'error', message: `a message from the extension arrived broken: ${(err as Error).message}` };
        }
        if (m !== undefined) handler(m as In);
      });
    },
    getState: () => api.getState(),
    setState: (state) => api.setState(state),
  };
}

/** Reads the JSON the host put in #runreel-boot. */
export function readBoot<T>(): T | undefined {
  const text = document.getElementById('runreel-boot')?.textContent;
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
