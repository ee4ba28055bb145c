/** Injected by esbuild (and vitest's define) from package.json. */
declare const __RUNREEL_VERSION__: string;
