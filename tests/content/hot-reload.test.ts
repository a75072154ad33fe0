import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chat, memoryLogger, startTempService, type TempService } from '../helpers/temp-service.ts';

let running: TempService | undefined;
afterEach(async () => {
  await running?.cleanup();
  running = undefined;
});

/** Polls until `check` passes, for at most `ms`; watching files is asynchronous by nature. */
async function eventually(check: () => Promise<void>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const firstIds = async (url: string, text: string) => {
  const { json } = await chat(url, { user: 'watcher', text });
  const [reply] = json.replies as { articles?: { id: string }[] }[];
  return reply?.articles?.map((a) => a.id) ?? [];
};

describe('the content folder (MESSAGES_DIR) while the service runs', () => {
  it('picks up an added, changed and removed entry file without a restart', async () => {
    running = await startTempService({ env: { WATCH_MESSAGES: 'true' } });
    const file = join(running.messagesDir, 'entries', 'hot-news.md');
    await writeFile(
      file,
      '---\ntitle: Zanzibar delegation visits\ndate: 2024-01-01\n---\nA visit.\n',
    );
    await eventually(async () =>
      expect(await firstIds(running!.url, 'zanzibar')).toEqual(['hot-news']),
    );

    await writeFile(
      file,
      '---\ntitle: Kilimanjaro delegation visits\ndate: 2024-01-01\n---\nA visit.\n',
    );
    await eventually(async () =>
      expect(await firstIds(running!.url, 'kilimanjaro')).toEqual(['hot-news']),
    );
    expect(await firstIds(running.url, 'zanzibar')).toEqual([]);

    await rm(file);
    await eventually(async () => expect(await firstIds(running!.url, 'kilimanjaro')).toEqual([]));
  });

  it('picks up a changed rules file and keeps the old rules when the new file is broken', async () => {
    const { log, lines } = memoryLogger();
    running = await startTempService({ env: { WATCH_MESSAGES: 'true' }, log });
    const rules = join(running.messagesDir, 'rules.yaml');
    const reply = async (text: string) => {
      const { json } = await chat(running!.url, { user: 'watcher', text });
      return (json.replies as { text?: string }[])[0]?.text;
    };
    await writeFile(
      rules,
      'rules:\n  - name: ping\n    keywords: [ping]\n    replies: [{ text: pong }]\n',
    );
    await eventually(async () => expect(await reply('ping')).toBe('pong'));

    await writeFile(rules, 'rules: [\n  broken: : :\n');
    await eventually(async () =>
      expect(lines().map((line) => line.msg)).toContain(
        'rules file not used; keeping the previous rules',
      ),
    );
    expect(await reply('ping')).toBe('pong');
  });
});
