// Preloaded into a measured process: reports its peak resident memory when it exits.
import { writeSync } from 'node:fs';

process.on('exit', () => writeSync(2, `peak-rss-mb ${Math.round(process.resourceUsage().maxRSS / 1024)}\n`));
