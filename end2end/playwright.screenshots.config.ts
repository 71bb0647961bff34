// Retakes the README's screenshots (docs/screenshots): `npx playwright test -c playwright.screenshots.config.ts`.
// One run on SQLite: the screenshots start their own server and need neither project of the tests.
import base from './playwright.config';
import { defineConfig } from '@playwright/test';

export default defineConfig({ ...base, projects: undefined, testDir: './screenshots', workers: 1 });
