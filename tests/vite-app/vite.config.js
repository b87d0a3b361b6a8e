// The dev server sends the widget's API calls to the proxy the test started; the build has two
// pages: the app (the package root and the embed) and a page with the embed alone.
export default {
  server: {
    proxy: process.env.INSTALLMENT_PROXY_URL ? { "/api": process.env.INSTALLMENT_PROXY_URL } : undefined,
  },
  build: {
    rollupOptions: { input: { main: "index.html", embed: "embed.html" } },
  },
};
