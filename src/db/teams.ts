import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { Executor } from './client.js';
import { teams } from './schema.js';

/** The configuration is the source of teams; the table mirrors it so rows can reference a team. */
export async function syncTeams(executor: Executor, config: Config): Promise<void> {
  if (config.teams.length === 0) return;
  await executor
    .insert(teams)
    .values(config.teams.map((t) => ({ key: t.key, name: t.name, channel: t.channel })))
    .onConflictDoUpdate({
      target: teams.key,
      set: { name: sql`excluded.name`, channel: sql`excluded.channel`, updatedAt: sql`now()` },
      setWhere: sql`(${teams.name}, ${teams.channel}) is distinct from (excluded.name, excluded.channel)`,
    });
}
