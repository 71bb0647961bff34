// Playwright drives Debian's Chromium (never a downloaded browser) against the real server binary,
// every spec twice: project `sqlite` on a new SQLite file per server, project `postgres` on a new
// database per server of the PostgreSQL cluster named by TEST_POSTGRES_URL (scripts/test.sh
// starts one). `npx playwright test --project sqlite` runs without PostgreSQL.
import { defineConfig } from '@playwright/test';
import type { WorkerFixtures } from './tests/fixtures';

export default defineConfig<{}, Pick<WorkerFixtures, 'database'>>({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  outputDir: './test-results',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'sqlite', use: { database: 'sqlite' } },
    { name: 'postgres', use: { database: 'postgres' } },
  ],
});
