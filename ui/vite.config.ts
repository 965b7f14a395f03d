import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

/**
 * Built by `npm run build` into ui/dist, which src/api/ui.ts serves at "/". For UI work,
 * `npx vite ui` serves it with hot reload and proxies the API to a running sandbox
 * (MAILPROOF_URL, default http://127.0.0.1:8025).
 */
const target = process.env.MAILPROOF_URL ?? "http://127.0.0.1:8025";

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false })],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // One small bundle; no CDN, no external fonts, nothing inlined as data: that the CSP would have to allow.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  server: {
    // xfwd: X-Forwarded-Host names this dev server, so the sandbox sees the UI's changes as
    // same-origin (docs/security.md); changeOrigin alone would make them look cross-site.
    proxy: { "/api": { target, changeOrigin: true, xfwd: true } },
  },
});
