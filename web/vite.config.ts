// Builds the console into dist/, which `strata serve` serves at /. Everything is bundled:
// no CDN, no external fonts, so the console works offline.
/// <reference types="vitest" />
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: {
    // An address, not "localhost": Vite (and so Vitest) would resolve that name, and a
    // minimal machine without /etc/hosts cannot.
    host: "127.0.0.1",
    // `npm run dev` proxies the API to a `strata serve` on the default port.
    proxy: { "/v1": "http://127.0.0.1:8080", "/v2": "http://127.0.0.1:8080", "/healthz": "http://127.0.0.1:8080" },
  },
  test: { environment: "jsdom", include: ["tests/**/*.test.ts"] },
});
