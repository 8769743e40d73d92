import * as caseActions from './case-actions.js';
import * as commands from './commands.js';
import * as home from './home.js';
import * as threads from './threads.js';
import * as votes from './votes.js';

/** Every Slack feature; each registers its own listeners and holds no business rule. */
export const FEATURES = [commands.register, caseActions.register, votes.register, threads.register, home.register];
