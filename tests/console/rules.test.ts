import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, makeTempDir, startTempService, type TempService } from '../helpers/temp-service.ts';
import { consoleClient, type ConsoleClient } from './console-client.ts';

const TOKEN = 'a-test-admin-token-0123456789';
const squash = (text: string) => text.replace(/\s+/g, ' ');

let running: TempService;
let client: ConsoleClient;

beforeAll(async () => {
  const { dir, messagesDir } = await makeTempDir();
  // A rule after "anniversary" whose keyword holds "周年": it can never answer.
  const rules = join(messagesDir, 'rules.yaml');
  const source = await readFile(rules, 'utf8');
  await writeFile(
    rules,
    source.replace(
      '\n# The custom menu',
      `
  - name: seventieth
    keywords:
      - { keyword: 七十周年, match: contain }
    replies:
      - text: Seventy years.

# The custom menu`,
    ),
  );
  running = await startTempService({ dir, env: { ADMIN_TOKEN: TOKEN } });
  client = await consoleClient(running.url, TOKEN);
});
afterAll(() => running.cleanup());

describe('the rules and menu section', () => {
  it('lists each rule in engine order with its keywords, replies and hits', async () => {
    for (const text of ['hello', '你好', 'contact us'])
      await chat(running.url, { user: 'ann', text });
    const page = await client.get('/admin/rules');
    expect(page.status).toBe(200);
    const text = squash(page.text);
    expect(text).toContain('<th scope="row">greeting</th>');
    expect(text).toContain('<code>hello</code> <small>equal</small>');
    expect(text).toContain('<li>the latest 5 of events</li>');
    expect(text.indexOf('>greeting<')).toBeLessThan(text.indexOf('>seventieth<'));
    expect(text).toMatch(/>greeting<\/th>.*?<td class="hits">2<\/td>/);
    expect(text).toMatch(/>contact<\/th>.*?<td class="hits">1<\/td>/);
    expect(text).toMatch(/>about<\/th>.*?<td class="hits">0<\/td>/);
  });

  it('shows the lint: a keyword an earlier rule answers first, in words', async () => {
    const text = squash((await client.get('/admin/rules')).text);
    expect(text).toContain(
      '<strong>Never reached:</strong> keyword &quot;七十周年&quot; of rule &quot;seventieth&quot; is never reached: rule &quot;anniversary&quot; comes first',
    );
  });

  it('previews the menu as a phone shows it, and a click button’s reply as cards', async () => {
    const text = squash((await client.get('/admin/rules')).text);
    expect(text).toContain('<summary class="menu-button">栏目 Topics</summary>');
    expect(text).toContain('hx-get="/admin/rules/menu/reply?key=LATEST"');
    const reply = await client.get('/admin/rules/menu/reply?key=ABOUT');
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('class="cards"');
    expect(reply.text).toContain('/entries/account-launch');
    expect((await client.get('/admin/rules/menu/reply?key=NOPE')).status).toBe(404);
  });

  it('says in words why the menu cannot be published without a WeChat API client', async () => {
    const refused = await client.post('/admin/rules/menu/publish', {});
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('the WeChat API client is not configured');
    const noToken = await client.post('/admin/rules/menu/publish', {}, { csrf: false });
    expect(noToken.status).toBe(403);
  });
});
