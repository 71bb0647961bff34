// Starts the real server binary (built by `cargo leptos build`) on a free port with its own database.
import { spawn, execFileSync, ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';

const root = resolve(__dirname, '..', '..');

export type Database = 'sqlite' | 'postgres';

export interface ServerOptions {
  database?: Database;
  /** Reuse an existing database URL (for several servers on one database). */
  databaseUrl?: string;
  env?: Record<string, string>;
}

export interface RunningServer {
  baseURL: string;
  databaseUrl: string;
  webhookSecret: string;
  stop(): Promise<void>;
}

export const WEBHOOK_SECRET = 'whsec_end2end_secret_0123456789abcdef';
export const ADMIN_EMAIL = 'coach@example.com';
export const ADMIN_PASSWORD = 'end2end-admin-password';

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => ok(port));
    });
    srv.on('error', fail);
  });
}

let counter = 0;

/** A new, empty database of the given kind; PostgreSQL needs TEST_POSTGRES_URL (scripts/test.sh). */
export function createDatabase(kind: Database): { url: string; cleanup: () => void } {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'booking-e2e-'));
    return { url: `sqlite://${dir}/e2e.db`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = process.env.TEST_POSTGRES_URL;
  if (!admin) throw new Error('TEST_POSTGRES_URL is not set: run scripts/test.sh, which starts PostgreSQL');
  const name = `e2e_${process.pid}_${Date.now()}_${counter++}`;
  execFileSync('psql', [admin, '-q', '-c', `CREATE DATABASE ${name}`]);
  return { url: admin.replace(/\/[^/]*$/, `/${name}`), cleanup: () => {} };
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const port = await freePort();
  const db = options.databaseUrl
    ? { url: options.databaseUrl, cleanup: () => {} }
    : createDatabase(options.database ?? 'sqlite');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    RUST_LOG: process.env.E2E_RUST_LOG ?? 'warn',
    LEPTOS_SITE_ROOT: join(root, 'target', 'site'),
    LEPTOS_SITE_PKG_DIR: 'pkg',
    LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
    DATABASE_URL: db.url,
    PAYMENT_MODE: 'simulated',
    SIMULATED_DELAY_MS: '2500',
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    // The browser tests book many times with one address; the limits have tests of their own.
    MAX_UNPAID_HOLDS_PER_EMAIL: '1000',
    MAX_UNPAID_SESSION_SHARE_PERCENT: '100',
    ...options.env,
  };
  const binary = process.env.SERVER_BIN ?? join(root, 'target', 'debug', 'server');
  const logDir = join(__dirname, '..', 'test-results');
  execFileSync('mkdir', ['-p', logDir]);
  const log = createWriteStream(join(logDir, `server-${port}.log`));
  const child: ChildProcess = spawn(binary, [], { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);

  const baseURL = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  for (;;) {
    if (exited !== null) throw new Error(`server exited with ${exited}; see ${logDir}/server-${port}.log`);
    try {
      const res = await fetch(`${baseURL}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not answer /healthz within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    baseURL,
    databaseUrl: db.url,
    webhookSecret: env.STRIPE_WEBHOOK_SECRET,
    async stop() {
      if (exited === null) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await done;
      }
      if (!options.databaseUrl) db.cleanup();
    },
  };
}

/** A real SMTP server (the npm package maildev) on free ports, with what it received. */
export interface MailDev {
  smtpUrl: string;
  /** The mails received so far: recipients, subject and text. */
  emails(): Promise<{ to: string[]; subject: string; text: string }[]>;
  stop(): Promise<void>;
}

export async function startMailDev(): Promise<MailDev> {
  const smtp = await freePort();
  const web = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'booking-e2e-mail-'));
  const bin = join(__dirname, '..', 'node_modules', 'maildev', 'bin', 'maildev');
  const child: ChildProcess = spawn(
    process.execPath,
    [bin, '--smtp', String(smtp), '--web', String(web), '--ip', '127.0.0.1', '--web-ip', '127.0.0.1', '--mail-directory', dir, '--silent'],
    // Every maildev option falls back to a MAILDEV_* variable: none of the machine's may apply.
    { stdio: 'ignore', env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MAILDEV_'))) },
  );
  const api = `http://127.0.0.1:${web}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${api}/email`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('maildev did not start within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    smtpUrl: `smtp://127.0.0.1:${smtp}`,
    async emails() {
      const list = (await (await fetch(`${api}/email`)).json()) as { to: { address: string }[]; subject: string; text: string }[];
      return list.map((m) => ({ to: m.to.map((t) => t.address), subject: m.subject, text: m.text }));
    },
    async stop() {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
