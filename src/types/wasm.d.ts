/** A module compiled from AssemblyScript in wasm/ (scripts/lib/wasm.mjs): its bytes. */
declare module '*.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
