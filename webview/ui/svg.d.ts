// SVG files imported as text (esbuild: `with { type: 'text' }`).
declare module '*.svg' {
  const svg: string;
  export default svg;
}
