// What a parent's phone downloads for the booking form: compressed files on the first visit, next
// to nothing on the next one (hashed files come from the cache without a request). Bytes only:
// the times under Slow 4G are measured by bench/run.sh, never asserted here.
import { test, expect } from './fixtures';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { visitTwice } = require('../tools/page-weight.cjs');

interface Response {
  url: string;
  status: number;
  encoding: string;
  bytes: number;
  cached?: boolean;
}
interface Visit {
  bytes: number;
  responses: Response[];
}

const HASHED = /^\/pkg\/[^/]+\.[A-Za-z0-9_-]{22}\.(wasm|js|css)$/;

test('the booking form comes compressed, and a repeat visit downloads at most 10 KB', async ({ browser, baseURL }) => {
  const { first, repeat } = (await visitTwice(browser, `${baseURL}/book`)) as { first: Visit; repeat: Visit };
  const path = (r: Response) => new URL(r.url).pathname;

  // First visit: the page, its stylesheet, the loader, the main wasm module, every one of them
  // brotli-compressed and under a hashed name.
  const files = first.responses.filter((r) => path(r).startsWith('/pkg/'));
  expect(files.filter((r) => r.cached)).toEqual([]);
  expect(files.map(path)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^\/pkg\/booking\.[A-Za-z0-9_-]{22}\.css$/),
      expect.stringMatching(/^\/pkg\/booking\.[A-Za-z0-9_-]{22}\.js$/),
      expect.stringMatching(/^\/pkg\/booking\.[A-Za-z0-9_-]{22}\.wasm$/),
    ]),
  );
  for (const file of files) {
    expect(path(file)).toMatch(HASHED);
    expect(file.status, path(file)).toBe(200);
    expect(file.encoding, path(file)).toBe('br');
  }
  const page = first.responses.find((r) => path(r) === '/book');
  expect(page?.encoding).toBe('br');
  // An admin chunk is never part of a parent's page.
  expect(files.filter((r) => path(r).includes('route_view'))).toEqual([]);

  // Repeat visit: the page itself (rendered anew); every file comes from the browser's cache
  // without a request (immutable), none is even revalidated.
  const again = repeat.responses.filter((r) => path(r).startsWith('/pkg/'));
  expect(again.map(path).sort()).toEqual(files.map(path).sort());
  for (const file of again) {
    expect(file.cached, path(file)).toBe(true);
    expect(file.bytes, path(file)).toBe(0);
  }
  expect(repeat.responses.filter((r) => !r.cached).map(path)).toContain('/book');
  expect(repeat.bytes).toBeGreaterThan(0);
  expect(repeat.bytes).toBeLessThanOrEqual(10 * 1024);
});
