// Injected into the web bundle (scripts/build-web.mjs): the library's core uses Node's Buffer, which a page lacks.
// 'buffer/' names the npm package (feross/buffer), not Node's built-in, which the build refuses.
export { Buffer } from 'buffer/';
