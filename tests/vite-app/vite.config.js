// The dev server sends the widget's API calls to the proxy the test started.
export default {
  server: {
    proxy: process.env.INSTALLMENT_PROXY_URL ? { "/api": process.env.INSTALLMENT_PROXY_URL } : undefined,
  },
};
