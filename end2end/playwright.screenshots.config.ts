// Retakes the README's screenshots (docs/screenshots): `npx playwright test -c playwright.screenshots.config.ts`.
import base from './playwright.config';
import { defineConfig } from '@playwright/test';

export default defineConfig({ ...base, testDir: './screenshots', workers: 1 });
