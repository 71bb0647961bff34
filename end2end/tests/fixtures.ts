// Test fixtures: the project's database (`sqlite` or `postgres`, see playwright.config.ts) and one
// server per worker on a new database of that kind, reachable as `server` and through `page`'s baseURL.
import { test as base } from '@playwright/test';
import { startServer, Database, RunningServer } from './server';

export interface WorkerFixtures {
  /** Which database every server of this project runs on. */
  database: Database;
  server: RunningServer;
}

export const test = base.extend<{}, WorkerFixtures>({
  database: ['sqlite', { scope: 'worker', option: true }],
  server: [
    async ({ database }, use) => {
      const server = await startServer({ database });
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
