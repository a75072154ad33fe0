import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/postgres/database.ts';
import { postgresStorage, type Storage } from '../../src/store/storage.ts';
import { openTestPostgres, postgresUrl, type TestPostgres } from '../helpers/postgres.ts';
import { chat, memoryLogger, startTempService, type TempService } from '../helpers/temp-service.ts';
import { messageXml, nextMsgId, postCallback, TOKEN } from '../wechat/platform.ts';

const USER = 'oUser_0123456789abcdefghijkl';
const ENV = { WECHAT_TOKEN: TOKEN, SEARCH_PAGE_SIZE: '1' };

const articleIds = (json: Record<string, unknown>) =>
  (json.replies as { type: string; articles?: { id: string }[] }[]).flatMap(
    (reply) => reply.articles?.map((article) => article.id) ?? [],
  );

/**
 * Two instances of the service on one PostgreSQL schema, each with a pool of its own and a
 * folder of its own: what a load balancer spreads the account's callbacks over.
 */
describe.skipIf(!postgresUrl)('two instances on one PostgreSQL database', () => {
  let pg: TestPostgres | undefined;
  let storages: Storage[] = [];
  let running: TempService[] = [];
  afterEach(async () => {
    for (const one of running) await one.cleanup();
    for (const storage of storages.reverse()) await storage.close();
    await pg?.close();
    running = [];
    storages = [];
    pg = undefined;
  });

  async function startTwo(): Promise<[TempService, TempService]> {
    pg = await openTestPostgres();
    const other = await openPostgres({ url: pg.url, schema: pg.schema, migrate: false, max: 4 });
    storages = [postgresStorage(other)];
    const a = await startTempService({ env: ENV, storage: postgresStorage(pg) });
    const b = await startTempService({ env: ENV, storage: storages[0] });
    running = [a, b];
    return [a, b];
  }

  const inboundCount = async (user: string) => {
    const [row] = await pg!.query<{ n: number }>(
      "SELECT count(*) AS n FROM conversation_log WHERE user_id = $1 AND direction = 'in'",
      [user],
    );
    return row!.n;
  };

  it("answers a WeChat retry at the other instance with the first try's reply, running the engine once", async () => {
    const [a, b] = await startTwo();
    const message = messageXml(USER, 'text', { Content: 'help' }, nextMsgId());
    const first = await postCallback(a.url, message);
    expect(first.status).toBe(200);
    expect(first.text).toContain('latest [N]');
    const retry = await postCallback(b.url, message);
    expect(retry.text).toBe(first.text);
    expect(await inboundCount(USER)).toBe(1);
  });

  it('shares subscriptions, search sessions and unanswered queries between instances', async () => {
    const [a, b] = await startTwo();
    await chat(a.url, { user: 'ann', text: 'subscribe' });
    expect(await b.service.subscribers.get('api', 'ann')).toMatchObject({ state: 'active' });

    // A search answered by one instance pages on at the other (a page is one entry here).
    const firstPage = articleIds((await chat(a.url, { user: 'ann', text: 'party' })).json);
    const nextPage = articleIds((await chat(b.url, { user: 'ann', text: 'more' })).json);
    expect(firstPage).toHaveLength(1);
    expect(nextPage).toHaveLength(1);
    expect(nextPage).not.toEqual(firstPage);

    await chat(a.url, { user: 'bob', text: 'quantum chromodynamics' });
    expect((await b.service.conversations.unanswered()).map((row) => row.query)).toEqual([
      'quantum chromodynamics',
    ]);
  });

  it('answers a database error 500 without detail, and logs its code and message only', async () => {
    const [a] = await startTwo();
    await a.stop();
    const { log, lines } = memoryLogger();
    const one = await startTempService({
      dir: a.dir,
      env: ENV,
      storage: postgresStorage(pg!),
      log,
    });
    running = [one, running[1]!];
    await pg!.query('DROP TABLE sessions');
    const res = await chat(one.url, { user: 'fay', text: 'party' });
    expect(res).toEqual({ status: 500, json: { error: 'internal error' } });
    const [failed] = lines().filter((line) => line.msg === 'request failed');
    expect(failed?.err).toMatchObject({
      code: '42P01',
      message: 'relation "sessions" does not exist',
      stack: '',
    });
    expect(failed?.err).not.toHaveProperty('routine');
  });
});
