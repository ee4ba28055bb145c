// Messages of the Media panel: a folder's generated images (seed 002, UUID names) and video
// clips. Plain types only: the webview bundle includes this file.

export const MEDIA_VIEW_TYPE = 'runreel.media';

export interface MediaState {
  dir: string;
  /** The image shown enlarged, or the clip playing. */
  focus?: string;
}

export interface ImageEntry {
  name: string;
  path: string;
  /** Webview URI of the file. */
  src: string;
  /** The UUID of the name, when it has one: what the producer's API takes. */
  id?: string;
  bytes: number;
  modifiedMs: number;
  width?: number;
  height?: number;
  format?: string;
  /** Why its size cannot be read (the image is broken). */
  error?: string;
}

export interface ClipEntry {
  name: string;
  path: string;
  src: string;
  bytes: number;
  modifiedMs: number;
  /** From ffprobe, when it is available and the clip is readable. */
  probe?: { duration: number; width: number; height: number; fps: number; hasAudio: boolean; videoCodec?: string };
  /** Why ffprobe could not read it. */
  error?: string;
}

/** An image tag of the folder's TensorBoard event files: one image per step. */
export interface ImageTag {
  tag: string;
  steps: number[];
  width: number;
  height: number;
}

export type MediaHostToWebview =
  | { type: 'media'; dir: string; images: ImageEntry[]; clips: ClipEntry[]; moreImages: number; ffprobe: string | null }
  | { type: 'imageTags'; tags: ImageTag[] }
  /** One image of a tag, as a data URL of the bytes the event file holds. */
  | { type: 'tagImage'; tag: string; step: number; src: string; wallTime: number }
  /** The run's step clock moved: each tag shows its nearest step. */
  | { type: 'goToStep'; step: number }
  | { type: 'focus'; path: string }
  | { type: 'error'; message: string };

export type MediaWebviewToHost =
  | { type: 'ready' }
  | { type: 'copyId'; id: string }
  | { type: 'reveal'; path: string }
  | { type: 'openExternal'; path: string }
  | { type: 'stitch'; paths: string[] }
  | { type: 'focus'; path?: string }
  | { type: 'requestTagImage'; tag: string; step: number }
  | { type: 'animateTag'; tag: string };
