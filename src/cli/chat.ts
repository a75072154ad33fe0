/**
 * `npm run chat [-- --user NAME]`: talk to the account from the terminal, through the same
 * engine, database and content as the service. `/follow`, `/unfollow`, `/click KEY` send events.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.ts';
import { loadEnvFile } from '../config/env-file.ts';
import type { Inbound } from '../engine/types.ts';
import { createLogger } from '../log/logger.ts';
import { createService } from '../service.ts';
import { renderReplyText } from './render-reply.ts';

const { values } = parseArgs({
  options: { user: { type: 'string', default: process.env.USER ?? 'me' } },
});
const user = values.user!;

loadEnvFile();
let config;
try {
  config = loadConfig({
    ...process.env,
    WATCH_MESSAGES: 'false',
    LOG_LEVEL: process.env.CHAT_LOG_LEVEL ?? 'warn',
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const service = await createService(
  config,
  createLogger({ level: config.LOG_LEVEL, destination: process.stderr }),
  { background: false },
);

const toInbound = (line: string): Inbound => {
  const base = { channel: 'terminal', user, time: new Date() };
  const [command, key] = line.split(/\s+/, 2);
  if (command === '/follow') return { ...base, kind: 'event', event: 'follow' };
  if (command === '/unfollow') return { ...base, kind: 'event', event: 'unfollow' };
  if (command === '/click' && key) return { ...base, kind: 'event', event: 'click', key };
  return { ...base, kind: 'text', text: line.slice(0, 2000) };
};

const rl = createInterface({
  input: process.stdin,
  output: process.stdout,
  terminal: process.stdin.isTTY,
});
console.log(
  `Chatting with ${config.ACCOUNT_NAME} as "${user}". Try "help", "latest", a word to search; /follow, /click KEY; Ctrl-D to quit.`,
);
rl.setPrompt('you> ');
rl.prompt();
for await (const raw of rl) {
  const line = raw.trim();
  if (line) {
    const replies = await service.engine.handle(toInbound(line));
    if (replies.length === 0) console.log('(no reply)');
    for (const reply of replies) console.log(`\n${renderReplyText(reply)}\n`);
  }
  rl.prompt();
}
await service.close();
