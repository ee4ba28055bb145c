// A tiny element builder. Text always goes in through textContent: strings from
// files are never parsed as HTML.
type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { class?: string; title?: string; attrs?: Record<string, string>; onClick?: (e: Event) => void } = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.title) node.title = props.title;
  for (const [k, v] of Object.entries(props.attrs ?? {})) node.setAttribute(k, v);
  if (props.onClick) node.addEventListener('click', props.onClick);
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}

/** Drops the null/false entries of a conditional list of nodes. */
export function compact(...nodes: (Node | null | undefined | false)[]): Node[] {
  return nodes.filter((n): n is Node => !!n);
}

/**
 * A theme variable's current value (VS Code sets them on the body). For libraries that take
 * colours as values, not CSS: read again after a theme change.
 */
export function themeVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** Axis text and grid colours for charts, from the current theme. */
export function axisColours(): { fg: string; grid: string } {
  return { fg: themeVar('--vscode-foreground', '#888'), grid: themeVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)') };
}

/** Turns a status line into an alert showing `message` (as text). */
export function showError(status: HTMLElement, message: string): void {
  status.hidden = false;
  status.className = 'error';
  status.setAttribute('role', 'alert');
  status.textContent = message;
}
