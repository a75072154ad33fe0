import express from 'express';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Inbound, Reply } from '../../src/engine/types.ts';
import { sqliteStorage } from '../../src/store/storage.ts';
import { createWechatApiClient } from '../../src/wechat/api-client.ts';
import { createCallbackDedup } from '../../src/wechat/callback-dedup.ts';
import { wechatCallbackRoutes } from '../../src/wechat/callback-routes.ts';
import { memoryLogger } from '../helpers/temp-service.ts';
import { APP_ID, messageXml, postCallback, TOKEN } from './platform.ts';
import { startStubPlatform, type StubPlatform } from './stub-platform.ts';

const USER = 'oSlowUser';
const LATE_REPLY = 'Here is the answer, late.';
/** Small, so the test is quick; the test waits on events, never on this figure. */
const BUDGET_MS = 20;

/** An engine that answers only when the test opens its gate. */
function gatedEngine() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const seen: Inbound[] = [];
  return {
    seen,
    open: () => open(),
    engine: {
      async handle(inbound: Inbound): Promise<Reply[]> {
        seen.push(inbound);
        await gate;
        return [{ type: 'text', text: LATE_REPLY }];
      },
    },
  };
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function startCallback(
  engine: ReturnType<typeof gatedEngine>['engine'],
  stub: StubPlatform,
  replyBudgetMs = BUDGET_MS,
) {
  const dir = await mkdtemp(join(tmpdir(), 'oasim-deadline-'));
  const storage = sqliteStorage(join(dir, 'oasim.db'));
  const { log } = memoryLogger();
  const app = express();
  wechatCallbackRoutes({
    engine,
    dedup: createCallbackDedup(storage),
    settings: {
      token: TOKEN,
      mode: 'plain',
      aesKeys: [],
      maxClockSkewS: 300,
      replyBudgetMs,
    },
    client: createWechatApiClient({ baseUrl: stub.url, appId: APP_ID, appSecret: 'secret', log }),
    log,
  })(app);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  cleanup.push(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the reply deadline', () => {
  it('answers success when the engine is slow, then delivers the reply as a customer-service message', async () => {
    const stub = await startStubPlatform();
    cleanup.push(() => stub.close());
    const slow = gatedEngine();
    const url = await startCallback(slow.engine, stub);
    const message = messageXml(USER, 'text', { Content: 'a hard question' });

    const first = await postCallback(url, message);
    expect([first.status, first.text]).toEqual([200, 'success']);
    expect(stub.callsTo('message/custom/send')).toEqual([]);

    // The platform retries while the engine is still at work: no second run, no reply yet.
    const retry = await postCallback(url, message);
    expect(retry.text).toBe('success');
    expect(slow.seen).toHaveLength(1);

    slow.open();
    const [sent] = await stub.waitFor('message/custom/send');
    expect(sent?.body).toEqual({ touser: USER, msgtype: 'text', text: { content: LATE_REPLY } });
    expect(sent?.query.access_token).toMatch(/^token-/);

    const lateRetry = await postCallback(url, message);
    expect(lateRetry.text).toBe('success');
    expect(stub.callsTo('message/custom/send')).toHaveLength(1);
  });

  it('gives a duplicate that arrives while the first try is at work the same reply, running the engine once', async () => {
    const stub = await startStubPlatform();
    cleanup.push(() => stub.close());
    const slow = gatedEngine();
    const url = await startCallback(slow.engine, stub, 4000);
    const message = messageXml(USER, 'text', { Content: 'a hard question' });
    const first = postCallback(url, message);
    const duplicate = postCallback(url, message);
    await expect.poll(() => slow.seen.length).toBe(1);
    slow.open();
    const answers = await Promise.all([first, duplicate]);
    expect(answers[0].text).toContain(LATE_REPLY);
    expect(answers[1].text).toBe(answers[0].text);
    expect(slow.seen).toHaveLength(1);
  });
});
