import type * as vscode from 'vscode';

/** Base for anything that owns listeners, watchers or panels: one owner, disposed once. */
export abstract class Disposable implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  private wasDisposed = false;

  protected get isDisposed(): boolean {
    return this.wasDisposed;
  }

  protected register<T extends vscode.Disposable>(d: T): T {
    if (this.wasDisposed) d.dispose();
    else this.owned.push(d);
    return d;
  }

  dispose(): void {
    if (this.wasDisposed) return;
    this.wasDisposed = true;
    for (const d of this.owned.splice(0).reverse()) {
      try {
        d.dispose();
      } catch {
        /* keep disposing the rest */
      }
    }
  }
}
