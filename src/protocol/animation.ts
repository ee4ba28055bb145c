// Messages between the Animation panel (host) and its webview.
export const ANIMATION_VIEW_TYPE = 'runreel.animation';

export interface AnimationFile {
  kind: 'gif' | 'webm';
  /** A webview URI the page can load. */
  src: string;
  name: string;
  path: string;
  bytes: number;
}

export interface AnimationState {
  /** Paths of the files shown (kept by the serializer). */
  paths: string[];
  selected?: 'gif' | 'webm';
}

export type AnimationHostToWebview = { type: 'show'; title: string; files: AnimationFile[]; frames?: number };
export type AnimationWebviewToHost = { type: 'ready' } | { type: 'reveal'; path: string };
