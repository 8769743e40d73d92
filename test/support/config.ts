import { parseConfig, type Config } from '../../src/config.js';

/** A valid configuration with two teams and an MT, as a corporation would write it. */
export function testConfig(overrides: Record<string, unknown> = {}): Config {
  return parseConfig({
    teams: [
      { key: 'noord', name: 'Wijkteam Noord', channel: 'C0NOORD0001', members: ['U0AAAAAAA1', 'U0BBBBBBB1'] },
      { key: 'zuid', name: 'Wijkteam Zuid', channel: 'C0ZUID00001', members: ['U0CCCCCCC1'] },
    ],
    mt: { channel: 'C0MT0000001', members: ['U0MTMTMT01', 'U0MTMTMT02', 'U0MTMTMT03'], quorum: 2 },
    ...overrides,
  });
}
