import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../../src/clock/virtual-clock.ts';
import { createSimulator, type Simulator } from '../../../src/simulator/simulator.ts';
import { admin, postgresUrl } from '../../helpers/postgres.ts';

const FOLLOWERS = 3_000;
const APP_ID = 'wx0123456789abcdef';
const APP_SECRET = '0123456789abcdef0123456789abcdef';
const START = new Date('2026-11-23T04:00:00Z');
const MINUTE = 60_000;

/** SIMULATOR_DATABASE_URL as an operator writes it, its schema chosen by the URL. */
function urlWithSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

describe.skipIf(!postgresUrl)('the simulator with its state on PostgreSQL', () => {
  const schema = `e_${randomBytes(6).toString('hex')}`;
  const clock = createVirtualClock({ start: START });
  let dir: string;
  let sim: Simulator;
  let server: Server;
  let base: string;
  let sql: pg.Client;

  beforeAll(async () => {
    // The URL's schema does not exist yet: the simulator creates it at its first start.
    dir = await mkdtemp(join(tmpdir(), 'oasim-sim-pg-'));
    sim = await createSimulator({
      dataDir: dir,
      databaseUrl: urlWithSchema(postgresUrl!, schema),
      // No account listens: MASSSENDJOBFINISH is not delivered, the job finishes all the same.
      target: {
        url: 'http://127.0.0.1:9/wechat',
        token: 'oasimdevtoken',
        appId: APP_ID,
        encryptMode: 'plain',
      },
      account: { appId: APP_ID, appSecret: APP_SECRET, type: 'service' },
      clock,
      token: 'sim-test-token',
    });
    server = await new Promise((resolve) => {
      const s = sim.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sql = new pg.Client({ connectionString: urlWithSchema(postgresUrl!, schema) });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await new Promise((resolve) => server?.close(resolve));
    await sim?.close();
    clock.close();
    await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const call = async (name: string, body?: unknown, query: Record<string, string> = {}) => {
    const res = await fetch(`${base}/cgi-bin/${name}?${new URLSearchParams(query)}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as Record<string, unknown>;
  };

  it('delivers a mass send to a few thousand followers, every timeline holding it once', async () => {
    const res = await fetch(`${base}/sim/api/users`, {
      method: 'POST',
      headers: { authorization: 'Bearer sim-test-token', 'content-type': 'application/json' },
      body: JSON.stringify({ count: FOLLOWERS, seed: 'pg' }),
    });
    expect(res.status).toBe(201);
    // Following one by one goes over the callback, which is not what is tested here.
    await sql.query('UPDATE sim_users SET subscribed = true');

    const { access_token } = await call('token', undefined, {
      grant_type: 'client_credential',
      appid: APP_ID,
      secret: APP_SECRET,
    });
    const token = { access_token: access_token as string };
    const sent = await call(
      'message/mass/sendall',
      { filter: { is_to_all: true }, msgtype: 'text', text: { content: 'to everyone' } },
      token,
    );
    expect(sent).toMatchObject({ errcode: 0 });
    await clock.advance(MINUTE);

    const status = await call('message/mass/get', { msg_id: sent.msg_id }, token);
    expect(status).toMatchObject({ msg_status: 'SEND_SUCCESS' });
    const { rows } = await sql.query<{ items: number; users: number }>(
      `SELECT count(*)::int AS items, count(DISTINCT openid)::int AS users
       FROM sim_timeline WHERE source = 'mass'`,
    );
    expect(rows[0]).toEqual({ items: FOLLOWERS, users: FOLLOWERS });
    const state = (await (
      await fetch(`${base}/sim/api/platform`, {
        headers: { authorization: 'Bearer sim-test-token' },
      })
    ).json()) as { massJobs: { sent: number; done: number }[]; simulator: { followers: number } };
    expect(state.simulator.followers).toBe(FOLLOWERS);
    expect(state.massJobs[0]).toMatchObject({ sent: FOLLOWERS, done: FOLLOWERS });
  }, 60_000);
});
