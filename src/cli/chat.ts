/**
 * `npm run chat [-- --user NAME]`: talk to the account from the terminal, through the same
 * engine, database and content as the service. `/follow`, `/unfollow`, `/click KEY` send events.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.ts';
import { loadEnvFile } from '../config/env-file.ts';
import { createLogger } from '../log/logger.ts';
import { createService } from '../service.ts';
import { renderReplyText } from './render-reply.ts';
import { readTerminalLine, TERMINAL_COMMANDS } from './terminal-line.ts';

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

const rl = createInterface({
  input: process.stdin,
  output: process.stdout,
  terminal: process.stdin.isTTY,
});
console.log(
  `Chatting with ${config.ACCOUNT_NAME} as "${user}". Try "help", "latest", a word to search; ${TERMINAL_COMMANDS}; Ctrl-D to quit.`,
);
rl.setPrompt('you> ');
rl.prompt();
for await (const raw of rl) {
  const line = raw.trim();
  const read = line
    ? readTerminalLine(line, { channel: 'terminal', user, time: new Date() })
    : undefined;
  if (read?.kind === 'quit') break;
  if (read?.kind === 'answer') console.log(read.text);
  if (read?.kind === 'inbound') {
    const replies = await service.engine.handle(read.inbound);
    if (replies.length === 0) console.log('(no reply)');
    for (const reply of replies) console.log(`\n${renderReplyText(reply)}\n`);
  }
  rl.prompt();
}
rl.close();
await service.close();
