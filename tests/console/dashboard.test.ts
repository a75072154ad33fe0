import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../src/store/storage.ts';
import { DATABASES, openTestStorage } from '../helpers/postgres.ts';
import { ensureBroadcastTables } from '../helpers/storage-sql.ts';
import { startTempService, type TempService } from '../helpers/temp-service.ts';
import { getPage, populate, signedIn, TOKEN } from './console-fixture.ts';

/** The numbers a chart carries for its canvas, by figure id. */
function chartData(page: string, id: string): { labels: string[]; series: unknown[] } {
  const figure = new RegExp(`<figure class="chart" id="${id}">([\\s\\S]*?)</figure>`).exec(page);
  const attribute = /data-chart="([^"]*)"/.exec(figure?.[1] ?? '')?.[1];
  if (!attribute) throw new Error(`no chart data in figure ${id}`);
  return JSON.parse(attribute.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as {
    labels: string[];
    series: unknown[];
  };
}

describe.each(DATABASES)('the dashboard on %s', (kind) => {
  let dir: string;
  let storage: Storage;
  let running: TempService;
  let cookie: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oasim-dashboard-'));
    storage = await openTestStorage(kind, dir);
    await ensureBroadcastTables(storage);
    running = await startTempService({ env: { ADMIN_TOKEN: TOKEN }, storage });
    cookie = await signedIn(running.url);
  });
  afterAll(async () => {
    await running.cleanup();
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('says there is nothing to show yet, chart by chart, on a new account', async () => {
    const { status, text } = await getPage(running.url, cookie, '/admin');
    expect(status).toBe(200);
    expect(text).toContain('No subscribers yet.');
    expect(text).toContain('Every query so far had an answer.');
    expect(text).not.toContain('data-chart=');
  });

  it('charts subscribers, messages, rule hits, unanswered queries and deliveries, with their numbers as tables', async () => {
    await populate(running.url);
    const { text } = await getPage(running.url, cookie, '/admin');
    expect(text).toContain('src="/assets/vendor/chart.umd.min.js"');
    expect(chartData(text, 'subscribers')).toMatchObject({
      labels: ['api'],
      series: [
        { name: 'active', values: [2] },
        { name: 'unsubscribed', values: [1] },
        { name: 'blocked', values: [0] },
      ],
    });
    const messages = chartData(text, 'messages') as {
      labels: string[];
      series: { values: number[] }[];
    };
    expect(messages.labels).toHaveLength(14);
    // Follows and unfollows are events, not messages: 4 texts were sent today.
    expect(messages.series[0]!.values.at(-1)).toBe(4);
    // "hello" answered by the greeting rule; the other rules are listed with no hits.
    expect(chartData(text, 'rule-hits')).toMatchObject({
      labels: [
        'greeting',
        'about',
        'anniversary',
        'window bridge book',
        'news by topic',
        'contact',
      ],
      series: [{ name: 'hits', values: [1, 0, 0, 0, 0, 0] }],
    });
    expect(chartData(text, 'unanswered')).toMatchObject({
      labels: ['visa office hours', 'zzqx'],
      series: [{ name: 'times asked', values: [2, 1] }],
    });
    // Each chart's numbers, for screen readers, as a table labelled by its caption.
    expect(text).toMatch(
      /<div class="visually-hidden">\s*<table aria-labelledby="unanswered-caption">[\s\S]*<th scope="row">visa office hours<\/th>\s*<td>2<\/td>/,
    );
  });
});
