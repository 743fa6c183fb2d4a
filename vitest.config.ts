import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn daemons and worker threads; two files at a time fit two cores.
    maxWorkers: 2,
    reporters: ['default'],
  },
})
