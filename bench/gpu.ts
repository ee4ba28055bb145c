// Which renderer a bench page gets: the GPU where Chromium reports a hardware one, so the same
// measurements run with the GPU on a machine that has it (RUNREEL_BENCH_GPU=0 forces software).
import { WebviewPage } from '../test/unit/webview/page';

/** The WebGL renderer Chromium uses with the GPU asked for: its name, and whether it is software. */
export async function probeRenderer(): Promise<{ renderer: string; software: boolean }> {
  if (process.env.RUNREEL_BENCH_GPU === '0') return { renderer: 'SwiftShader (asked)', software: true };
  const view = await WebviewPage.open('embeddings', { boot: { dir: 'probe', align: false, follow: true, trail: 0 }, webgl: 'hardware' });
  await view.load();
  const renderer = await view.page.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return 'none';
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  });
  await view.close();
  return { renderer, software: /swiftshader|llvmpipe|software|none/i.test(renderer) };
}
