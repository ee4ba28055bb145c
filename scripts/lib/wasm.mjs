// WebAssembly modules written in AssemblyScript: `import bytes from '<root>/wasm/name.wasm'`
// gives the module compiled from wasm/name.ts as a Uint8Array. esbuild (esbuild.mjs, the
// bench, tests that bundle the GIF worker) uses the plugin; vitest uses `wasmBytes` through
// its own plugin in vitest.config.ts. Compiled output is cached by source hash in out/wasm.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheDir = join(root, 'out', 'wasm');
const compiling = new Map();
// Named indirectly so type checkers of the importing projects do not load the compiler's global types.
const ASC = 'assemblyscript/asc';

/** The compiled bytes for `wasmPath` (…/wasm/name.wasm, built from …/wasm/name.ts). */
export async function wasmBytes(wasmPath) {
  const source = wasmPath.replace(/\.wasm$/, '.ts');
  if (!existsSync(source)) throw new Error(`${wasmPath}: no AssemblyScript source ${source}`);
  const text = readFileSync(source, 'utf8');
  const { default: asc, version } = await import(ASC);
  const key = createHash('sha256').update(version).update(text).digest('hex').slice(0, 16);
  const cached = join(cacheDir, `${basename(wasmPath, '.wasm')}-${key}.wasm`);
  if (existsSync(cached)) return readFileSync(cached);
  if (!compiling.has(cached)) compiling.set(cached, compile(asc, source, cached));
  return compiling.get(cached);
}

async function compile(asc, source, cached) {
  const out = `${cached}.${process.pid}.${Date.now()}.tmp`;
  mkdirSync(cacheDir, { recursive: true });
  let log = '';
  const { error } = await asc.main([source, '-O3', '--runtime', 'stub', '--noAssert', '--enable', 'simd', '--outFile', out], {
    stdout: { write: (s) => { log += s; } },
    stderr: { write: (s) => { log += s; } },
  });
  if (error) throw new Error(`AssemblyScript failed on ${source}: ${error.message}\n${log}`);
  const bytes = readFileSync(out);
  renameSync(out, cached);
  return bytes;
}

/** esbuild plugin: `.wasm` imports under wasm/ become their compiled bytes (binary loader). */
export function wasmModules() {
  return {
    name: 'wasm-modules',
    setup(build) {
      // The .wasm file does not exist until built, so resolve it here rather than on disk.
      build.onResolve({ filter: /\.wasm$/ }, (args) => ({ path: resolve(args.resolveDir, args.path), namespace: 'wasm-modules' }));
      build.onLoad({ filter: /.*/, namespace: 'wasm-modules' }, async (args) => ({
        contents: await wasmBytes(args.path),
        loader: 'binary',
        watchFiles: [args.path.replace(/\.wasm$/, '.ts')],
      }));
    },
  };
}
