/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Tauri loads ../ui/dist (frontendDist); the dev server is not used by the app.
export default defineConfig({
  base: "./",
  plugins: [react()],
  clearScreen: false,
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK (Linux), WKWebView (macOS) and WebView2 (Windows) all handle ES2021.
    target: ["es2021", "safari15"],
    // No inline polyfill script: the app runs under script-src 'self'.
    modulePreload: { polyfill: false },
    // Never turn assets into data: URLs (img-src/font-src would block them).
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 2500,
    rollupOptions: {
      output: {
        manualChunks: {
          charts: ["echarts"],
        },
      },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    // Rendering screens in jsdom takes seconds when the machine is busy (a cargo build on both
    // cores): a generous limit keeps the component tests about behaviour, not speed.
    testTimeout: 30_000,
  },
});
