import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll waits this long (its default is one second): long enough for a machine
    // busy with other work; a passing poll returns as soon as it holds.
    expect: { poll: { timeout: 10_000 } },
  },
});
