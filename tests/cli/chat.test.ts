import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/temp-service.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Runs `npm run chat`'s entry as a person would, typing `lines` and then Ctrl-D. */
async function chatSession(lines: string[], user = 'tester'): Promise<string> {
  const temp = await makeTempDir();
  dir = temp.dir;
  const child = run(process.execPath, ['--import', 'tsx', 'src/cli/chat.ts', '--user', user], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: join(temp.dir, 'data'), MESSAGES_DIR: temp.messagesDir },
  });
  child.child.stdin!.end(lines.map((line) => `${line}\n`).join(''));
  return (await child).stdout;
}

describe('terminal chat', () => {
  it('answers help, renders article cards and follows with /follow', async () => {
    const output = await chatSession(['help', '/follow', 'anniversary']);
    expect(output).toContain('Chatting with IDCPC Information Office as "tester"');
    expect(output).toContain('latest [N] / 最新');
    expect(output).toContain('Welcome to the WeChat account');
    expect(output).toMatch(/\[1\] CPC marks 70th anniversary of its international department/);
    expect(output).toContain('/entries/department-70th-anniversary');
  });

  it('answers an unknown /command itself, without searching or recording it as a question', async () => {
    const output = await chatSession(['/nope', '/FOLLOWX now', '/click', '/help', '/quit', 'help']);
    const COMMANDS = '/follow /unfollow /click KEY /help /quit';
    expect(output).toContain(`unknown command /nope; commands: ${COMMANDS}`);
    expect(output).toContain(`unknown command /FOLLOWX; commands: ${COMMANDS}`);
    expect(output).toContain('usage: /click KEY');
    expect(output).toContain(`commands: ${COMMANDS}`);
    expect(output).not.toContain('Sorry, I found nothing');
    // /quit ends the session: the "help" typed after it is never answered.
    expect(output).not.toContain('latest [N] / 最新');
  });
});
