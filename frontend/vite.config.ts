import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The Go binary serves the built app from dist/ (embedded); in development
// the Vite server proxies the API and dev-only routes to a running
// `nexo serve` (NEXO_API, default http://localhost:8080).
const api = process.env.NEXO_API ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/dev/mailbox': { target: api },
      '/healthz': { target: api },
    },
  },
  build: {
    outDir: 'dist',
    sourcemap: false,
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      output: {
        // Vendor code changes less often than ours: split it so browsers
        // keep it cached across releases.
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined;
          if (id.includes('recharts') || id.includes('d3-')) return 'charts';
          if (id.includes('@mantine') || id.includes('mantine-datatable')) return 'mantine';
          return 'vendor';
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    environmentOptions: { jsdom: { url: 'http://localhost:8080/' } },
    globals: false,
    setupFiles: ['src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    // Rendering Mantine in jsdom takes seconds on a busy 2-core CI machine;
    // the default 5 s made a login test fail there though nothing was wrong.
    testTimeout: 30_000,
  },
});
