import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnService, type ChildService } from '../helpers/child-service.ts';
import { makeTempDir } from '../helpers/temp-service.ts';

let child: ChildService | undefined;
let dir: string | undefined;
afterEach(async () => {
  child?.child.kill('SIGKILL');
  await child?.exited;
  if (dir) await rm(dir, { recursive: true, force: true });
  child = dir = undefined;
});

/** `npm start` as an operator runs it; answers the last line it printed on the terminal. */
async function lastLine(env: Record<string, string>): Promise<{ url: string; line: string }> {
  const made = await makeTempDir();
  dir = made.dir;
  child = await spawnService({
    DATA_DIR: join(made.dir, 'data'),
    MESSAGES_DIR: made.messagesDir,
    ...env,
  });
  const started = child;
  await expect.poll(() => started.stderr()).toMatch(/^open .*\n$/m);
  const lines = started.stderr().trimEnd().split('\n');
  return { url: started.url, line: lines.at(-1)! };
}

describe('the last line npm start prints', () => {
  it('says where the phone page is when the simulator is hosted', async () => {
    const { url, line } = await lastLine({ SIMULATOR: 'on' });
    expect(line).toBe(`open ${url}/ (sign in with the admin token above)`);
  });

  it('points at the console when it is not, and names a configured token', async () => {
    const { url, line } = await lastLine({
      SIMULATOR: 'off',
      ADMIN_TOKEN: 'a-configured-token-123',
    });
    expect(line).toBe(`open ${url}/admin (sign in with ADMIN_TOKEN)`);
  });
});
