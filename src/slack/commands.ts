import type { App } from '@slack/bolt';
import type { SlackDeps } from './app.js';

// Placeholder until this feature lands: registers nothing.
export function register(_app: App, _deps: SlackDeps): void {}
