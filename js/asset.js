// Vite's dev server pre-bundles a package into node_modules/.vite/deps/ and leaves its wasm
// behind (vitejs/vite#8427), so `new URL("x.wasm", import.meta.url)` then names a file that is
// not there. Such a URL is turned back to where the package itself is; any other is kept.
export const packaged = (url) => {
  url.pathname = url.pathname.replace(/\/\.vite\/deps\/([^/]+\.wasm)$/, "/installment-widget/$1");
  return url;
};

// What every copy of the package on a page shares, so importing the package root and the
// script-tag embed (or two copies of either) makes one wasm instance, not two.
export const shared = (globalThis[Symbol.for("installment-widget")] ??= {});
