import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type Database } from '../../src/db/client.js';
import { DataDirLockedError } from '../../src/db/dir-lock.js';
import { scratchDir } from '../support/files.js';

// These tests are about the embedded PGlite data directory: they never use DATABASE_URL and
// run the same in both suite runs.

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const files = scratchDir();
const dataDir = join(files.dir, 'data');
const lockFile = `${dataDir}.lock`;
const configFile = files.write('huurwacht.yml', 'teams:\n  - key: noord\n    name: Wijkteam Noord\n    channel: C0123456789\n');
const opened: Database[] = [];

afterAll(async () => {
  for (const database of opened) await database.close();
  files.cleanup();
});

async function open(dir = dataDir): Promise<Database> {
  const database = await openDatabase({ dataDir: dir });
  opened.push(database);
  return database;
}

async function close(database: Database): Promise<void> {
  opened.splice(opened.indexOf(database), 1);
  await database.close();
}

/** `huurwacht --data <dir> migrate` in a real second process, on PGlite whatever this run uses. */
function cliInChild(dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.HUURWACHT_CONFIG;
  delete env.HUURWACHT_DATA;
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--config', configFile, '--data', dir, 'migrate'], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  expect(child.status).toBe(0);
  return child.pid;
}

function lockOwner(): { pid: number; host: string; since: string } {
  return JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number; host: string; since: string };
}

async function selectOne(database: Database): Promise<number> {
  const [row] = await queryRows<{ one: number }>(database.db, sql`select 1 as one`);
  return row!.one;
}

describe('PGlite data directory lock', () => {
  it('refuses a second process while this one holds the directory', async () => {
    const database = await open();
    expect(lockOwner()).toMatchObject({ pid: process.pid, host: hostname() });

    const child = await cliInChild(dataDir);
    expect(child.code).toBe(1);
    expect(child.stderr).toContain(`The embedded database in ${dataDir} is in use by process ${process.pid}`);
    expect(child.stderr).toContain('set DATABASE_URL');
    // A person's error: one clear message, no stack trace.
    expect(child.stderr).not.toMatch(/\n\s+at /);
    expect(child.stdout).toBe('');

    // The refused process left our lock and our database alone.
    expect(lockOwner().pid).toBe(process.pid);
    expect(await selectOne(database)).toBe(1);
    await close(database);
  });

  it('removes the lock file on close, after which another process can open the directory', async () => {
    const database = await open();
    expect(existsSync(lockFile)).toBe(true);
    await close(database);
    expect(existsSync(lockFile)).toBe(false);

    const child = await cliInChild(dataDir);
    expect(child.stderr).toBe('');
    expect(child.code).toBe(0);
    expect(child.stdout).toContain(`Database is up to date (pglite: ${dataDir})`);
    expect(existsSync(lockFile)).toBe(false);
  });

  it('refuses to open the same directory twice in one process', async () => {
    const database = await open();
    const second = await openDatabase({ dataDir: dataDir }).then(
      (db) => {
        opened.push(db);
        return null;
      },
      (err: unknown) => err,
    );
    expect(second).toBeInstanceOf(DataDirLockedError);
    expect((second as DataDirLockedError).message).toContain(`is in use by process ${process.pid}`);
    // The failed attempt did not take the lock away from the first.
    expect(lockOwner().pid).toBe(process.pid);
    expect(await selectOne(database)).toBe(1);
    await close(database);
    expect(existsSync(lockFile)).toBe(false);
  });

  it('takes over a stale lock whose process has exited', async () => {
    const pid = deadPid();
    writeFileSync(lockFile, JSON.stringify({ pid, host: hostname(), since: '2026-01-01T00:00:00.000Z' }));
    const database = await open();
    expect(lockOwner()).toMatchObject({ pid: process.pid, host: hostname() });
    expect(await selectOne(database)).toBe(1);
    await close(database);
    expect(existsSync(lockFile)).toBe(false);
  });

  it('takes over an unreadable lock file', async () => {
    writeFileSync(lockFile, '');
    const database = await open();
    expect(lockOwner().pid).toBe(process.pid);
    await close(database);
    expect(existsSync(lockFile)).toBe(false);
  });

  it('refuses a lock held on another host (its process cannot be checked from here)', async () => {
    const pid = deadPid();
    writeFileSync(lockFile, JSON.stringify({ pid, host: `not-${hostname()}`, since: '2026-01-01T00:00:00.000Z' }));
    const err = await openDatabase({ dataDir: dataDir }).then(
      async (db) => {
        await db.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect((err as DataDirLockedError).ownerPid).toBe(pid);
    // The other host's lock is left as it was.
    expect(lockOwner()).toMatchObject({ pid, host: `not-${hostname()}` });
  });

  it('leaves no temporary files beside the directory', () => {
    const leftovers = readdirSync(files.dir).filter((name) => name.startsWith('data.lock.'));
    expect(leftovers).toEqual([]);
  });
});
