// `import source from './x.ts?worker'`: the module bundled on its own, as text, for a
// Worker from a blob: URL (webviews cannot load workers from their resource URIs).
declare module '*?worker' {
  const source: string;
  export default source;
}
