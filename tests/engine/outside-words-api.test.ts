import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chat, makeTempDir, startTempService, type TempService } from '../helpers/temp-service.ts';
import { ODD_ENTRY, PROTOTYPE_VARIANTS, rulesWithOddTopic } from './odd-words.ts';

const OK = 200;
let running: TempService | undefined;
afterEach(async () => {
  await running?.cleanup();
  running = undefined;
});

type Replies = { type: string; text?: string }[];

describe('POST /api/chat with words that are names of Object.prototype', () => {
  it('answers each as a message, a topic and a menu key, and keeps subscribing working', async () => {
    const { dir, messagesDir } = await makeTempDir();
    await writeFile(join(messagesDir, 'rules.yaml'), await rulesWithOddTopic());
    await writeFile(join(messagesDir, 'entries', 'odd-topics.md'), ODD_ENTRY);
    running = await startTempService({ dir });
    for (const word of PROTOTYPE_VARIANTS) {
      for (const body of [
        { user: 'p', text: word },
        { user: 'p', text: `subscribe ${word}` },
        { user: 'p', text: `订阅${word}` },
        { user: 'p', event: 'click', key: word },
      ]) {
        const answer = await chat(running.url, body);
        expect(answer.status, JSON.stringify(body)).toBe(OK);
        expect((answer.json.replies as Replies).length, JSON.stringify(body)).toBeGreaterThan(0);
      }
    }
    const subscribed = await chat(running.url, { user: 'q', text: 'subscribe constructor' });
    expect((subscribed.json.replies as Replies)[0]?.text).toContain('Subscribed to constructor');
    const events = await chat(running.url, { user: 'q', text: 'subscribe events' });
    expect((events.json.replies as Replies)[0]?.text).toContain('events (活动)');
  });
});
