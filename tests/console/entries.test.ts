import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTempService, type TempService } from '../helpers/temp-service.ts';
import { consoleClient, type ConsoleClient } from './console-client.ts';

const TOKEN = 'a-test-admin-token-0123456789';
/** The sample account's clock: after every sample entry, before the scheduled one made here. */
const NOW = new Date('2026-11-23T04:00:00Z');
const SAMPLE_ENTRIES = 13;

let running: TempService;
let client: ConsoleClient;

beforeAll(async () => {
  running = await startTempService({ env: { ADMIN_TOKEN: TOKEN }, now: () => NOW });
  client = await consoleClient(running.url, TOKEN);
});
afterAll(() => running.cleanup());

const newEntry = {
  id: 'console-briefing',
  title: 'A briefing <from the console>',
  date: '2027-01-06',
  summary: 'Written in the console',
  keywords: 'briefing, 简报',
  topics: ['events'],
  body: '# Heading\n\nSome **bold** text and <script>alert(1)</script>.',
};

describe('the entries section', () => {
  it('lists every entry as the card a user gets, escaped, and finds them by a search', async () => {
    const all = await client.get('/admin/entries');
    expect(all.status).toBe(200);
    expect(all.text).toMatch(new RegExp(`${SAMPLE_ENTRIES}\\s+entries`));
    expect(all.text).toContain('class="cards"');
    const found = await client.get('/admin/entries?q=anniversary');
    expect(found.text).toContain('department-70th-anniversary');
    expect(found.text).not.toContain('youth-exchange-programme');
    const odd = await client.get(`/admin/entries?q=${encodeURIComponent('<b>x</b>')}`);
    expect(odd.text).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(odd.text).not.toContain('<b>x</b>');
  });

  it('renders the Markdown preview with the entry pages’ renderer, raw HTML as text', async () => {
    const preview = await client.post('/admin/entries/preview', { body: newEntry.body });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('<h1>Heading</h1>');
    expect(preview.text).toContain('<strong>bold</strong>');
    expect(preview.text).toContain('&lt;script&gt;');
    expect(preview.text).not.toContain('<script>');
  });

  it('creates an entry as a file, lists it as scheduled, and edits it', async () => {
    const created = await client.post('/admin/entries', newEntry);
    expect(created.status).toBe(303);
    expect(created.location).toBe('/admin/entries?saved=console-briefing');
    const file = await readFile(
      join(running.messagesDir, 'entries', 'console-briefing.md'),
      'utf8',
    );
    expect(file).toContain('keywords:\n  - briefing\n  - 简报');
    const listed = await client.get('/admin/entries?q=console-briefing');
    expect(listed.text).toContain('A briefing &lt;from the console&gt;');
    expect(listed.text).toMatch(/scheduled for <time datetime="2027-01-05T16:00:00.000Z">/);

    const form = await client.get('/admin/entries/console-briefing');
    expect(form.text).toContain('value="A briefing &lt;from the console&gt;"');
    const edited = await client.post('/admin/entries/console-briefing', {
      ...newEntry,
      title: 'A briefing, revised',
    });
    expect(edited.status).toBe(303);
    expect(running.service.library.get('console-briefing')?.title).toBe('A briefing, revised');
  });

  it('returns the form with the reason in words, and what was typed, when an entry is refused', async () => {
    const badDate = await client.post('/admin/entries', { ...newEntry, id: 'bad', date: 'soon' });
    expect(badDate.status).toBe(400);
    expect(badDate.text).toMatch(/role="alert"[^>]*>date: /);
    expect(badDate.text).toContain('value="soon"');
    const badId = await client.post('/admin/entries', { ...newEntry, id: 'no spaces' });
    expect(badId.status).toBe(400);
    expect(badId.text).toContain('id: must be letters, digits');
    const taken = await client.post('/admin/entries', { ...newEntry, id: 'account-launch' });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain('entry &quot;account-launch&quot; already exists');
  });

  it('refuses a form without the CSRF token, and changes nothing', async () => {
    const refused = await client.post(
      '/admin/entries',
      { ...newEntry, id: 'no-token' },
      { csrf: false },
    );
    expect(refused.status).toBe(403);
    expect(running.service.library.get('no-token')).toBeUndefined();
  });

  it('answers 404 for an entry that does not exist', async () => {
    expect((await client.get('/admin/entries/nothing-here')).status).toBe(404);
  });
});
