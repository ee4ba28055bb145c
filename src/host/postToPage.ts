// Posting to a panel's page (vscode.Webview's postMessage): large messages in parts, paced, in order.
import { splitMessage } from '../protocol/parts';

/** What of a webview this needs: vscode.Webview is one. */
export interface PageChannel {
  postMessage(message: unknown): PromiseLike<boolean>;
}

/** Each page's posts still on their way, so a later message never overtakes an earlier one's parts. */
const queues = new WeakMap<PageChannel, Promise<unknown>>();

/**
 * Posts `message` to a panel's page: in parts when its arrays are large (a long scalar run, a
 * big tensor, a step of millions of points), so no single copy of it holds the page. A part is
 * posted once the one two before it has been delivered: parts that reach the workbench together
 * are all copied in one task (6 parts of 8 MB held code-server's main thread for 270 ms).
 */
export function postToPage(webview: PageChannel, message: unknown, limit?: number): void {
  const posts = splitMessage(message, limit);
  if (posts.length === 1 && !queues.has(webview)) {
    void webview.postMessage(posts[0]);
    return;
  }
  const queue = (queues.get(webview) ?? Promise.resolve()).then(async () => {
    // Two on their way at most: the next is copied while the page takes the last.
    const sent: PromiseLike<boolean>[] = [];
    for (const m of posts) {
      // A page that has gone takes no more (its posts resolve false, or fail once disposed).
      if (sent.length >= 2 && !(await Promise.resolve(sent[sent.length - 2]).then((ok) => ok, () => false))) return;
      sent.push(webview.postMessage(m));
    }
    await Promise.allSettled(sent);
  });
  queues.set(webview, queue);
  void queue.then(() => { if (queues.get(webview) === queue) queues.delete(webview); });
}
