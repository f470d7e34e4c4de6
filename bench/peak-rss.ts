// Preloaded into the apply bench's children (`node -r lib/bench/peak-rss.js ...`) so that the CLI runs
// exactly as installed and still reports its peak RSS: the last line of its standard output, written
// synchronously at exit.
import * as fs from 'fs';

process.on('exit', () => {
  fs.writeSync(1, `\n${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS })}\n`);
});
