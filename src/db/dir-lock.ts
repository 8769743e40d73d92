import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by process ${ownerPid} (for example \`huurwacht start\`). ` +
        'PGlite serves one process at a time: stop that process first, or set DATABASE_URL to use PostgreSQL for concurrent use.',
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DirLock {
  release(): void;
}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): LockOwner | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

/**
 * PGlite has no guard against a second process on one data directory (two writers corrupt it),
 * so we hold `<dir>.lock` with our pid. A lock whose process is gone is stale and taken over.
 * The lock sits beside the directory because PostgreSQL owns the directory's contents.
 */
export function acquireDirLock(dataDir: string): DirLock {
  const file = `${dataDir}.lock`;
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const tmp = `${file}.${process.pid}.${Date.now()}`;
  writeFileSync(tmp, JSON.stringify(me));
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        // link() is atomic and fails when the lock exists: no window for two owners.
        linkSync(tmp, file);
        return makeLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = readOwner(file);
      if (owner && owner.pid === process.pid && owner.host === me.host) {
        throw new DataDirLockedError(dataDir, owner.pid);
      }
      if (owner && owner.host === me.host && isAlive(owner.pid)) {
        throw new DataDirLockedError(dataDir, owner.pid);
      }
      if (owner && owner.host !== me.host) {
        throw new DataDirLockedError(dataDir, owner.pid);
      }
      // Stale (owner died) or unreadable: move it aside atomically, then try again.
      try {
        renameSync(file, `${file}.stale.${process.pid}`);
        unlinkSync(`${file}.stale.${process.pid}`);
      } catch {
        // someone else took it over first; the next attempt sees their lock
      }
    }
    throw new Error(`Could not take the lock ${file}`);
  } finally {
    unlinkSync(tmp);
  }
}

function makeLock(file: string): DirLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    const owner = readOwner(file);
    if (owner?.pid === process.pid) unlinkSync(file);
  };
  process.on('exit', release);
  return { release };
}
