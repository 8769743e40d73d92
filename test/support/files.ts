import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A scratch directory per test file, removed with `cleanup()`. */
export function scratchDir() {
  const dir = mkdtempSync(join(tmpdir(), 'huurwacht-test-'));
  return {
    dir,
    write(name: string, content: string): string {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Builds CSV text from a header and rows, joined with the delimiter (no quoting: write it in the cells). */
export function csv(delimiter: ';' | ',', header: string[], rows: string[][], opts: { bom?: boolean; crlf?: boolean } = {}): string {
  const eol = opts.crlf ? '\r\n' : '\n';
  const text = [header, ...rows].map((r) => r.join(delimiter)).join(eol) + eol;
  return (opts.bom ? '\uFEFF' : '') + text;
}
