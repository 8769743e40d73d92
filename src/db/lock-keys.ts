/**
 * PostgreSQL advisory lock keys, in one place so no two features pick the same number by accident.
 * PGlite accepts them and never contends (one process).
 */
export const LOCK_KEYS = {
  /** drizzle's migrator takes no lock: processes starting together migrate one after the other. */
  migrations: 7_231_001,
  /** Imports run one at a time, so a look-up and the insert that follows see the same ledger. */
  import: 7_231_002,
  /**
   * The daily run holds it exclusively for a day's work; outcomes take it shared, so they never
   * write a case between the run's read and its write.
   */
  dailyRun: 7_231_003,
} as const;
