// Test fixtures: one server per worker on SQLite, reachable as `server` and through `page`'s baseURL.
import { test as base } from '@playwright/test';
import { startServer, RunningServer } from './server';

export const test = base.extend<{}, { server: RunningServer }>({
  server: [
    async ({}, use) => {
      const server = await startServer({ database: 'sqlite' });
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ server }, use) => {
    await use(server.baseURL);
  },
});

export { expect } from '@playwright/test';
