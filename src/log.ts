/**
 * Structured log lines (JSON, one per line) for operators. Never pass notes, names or health
 * data: fields carry ids, dates, counts and error causes only.
 */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function jsonLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const emit =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) =>
      write(JSON.stringify({ at: new Date().toISOString(), level, message, ...fields }));
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}
