/**
 * A stand-in for the simulator's control API (`/sim/api`) on port 0, with a tiny bot
 * behind it: enough to drive the runner through every kind of expectation.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';

export const STUB_TOKEN = 'stub-control-token';
export const WELCOME = 'Welcome to the stub account!';
export const ANNIVERSARY_TITLE = 'CPC marks 70th anniversary';
export const MORE_TEXT = 'More: 2. Centenary briefings';
export const DROP_RULE = 'a news reply to a message carries at most 1 article';
export const PUSH_TITLE = 'The weekly digest';
export const MENU_KEYS = ['LATEST'];
/** The stub pushes a digest to followers once the clock has moved this far. */
export const PUSH_AFTER_MS = 24 * 3_600_000;

type Item = Record<string, unknown> & { id: number };

interface StubUser {
  openid: string;
  nickname: string;
  following: boolean;
  pushed: boolean;
  items: Item[];
}

export interface StubControl {
  url: string;
  /** Every action the stub was sent, in order. */
  actions: Record<string, unknown>[];
  faults: unknown[];
  users: Map<string, StubUser>;
  /** Adds an item to a user's timeline, as the simulator would. */
  append(openid: string, item: Record<string, unknown>): void;
  close(): Promise<void>;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export async function startStubControl(): Promise<StubControl> {
  const users = new Map<string, StubUser>();
  const actions: Record<string, unknown>[] = [];
  const faults: unknown[] = [];
  const calls: { id: number; api: string; errcode: number }[] = [];
  let nextId = 1;
  let clockMs = Date.UTC(2026, 0, 1);
  let movedMs = 0;
  const at = () => new Date(clockMs).toISOString();
  const append = (openid: string, item: Record<string, unknown>) =>
    users.get(openid)?.items.push({ id: nextId++, at: at(), ...item });
  const reply = (user: StubUser, message: Record<string, unknown>) =>
    append(user.openid, { source: 'reply', message });

  const behave = (user: StubUser, action: Record<string, unknown>) => {
    append(user.openid, { source: 'user', action });
    if (action.type === 'follow') {
      user.following = true;
      return reply(user, { msgtype: 'text', text: WELCOME });
    }
    if (action.type === 'click') return reply(user, news('Latest one', 'Latest two'));
    if (action.type !== 'text') return undefined;
    switch (action.text) {
      case 'anniversary':
        reply(user, news(ANNIVERSARY_TITLE));
        // The follow-up arrives a moment later, as a customer-service message would.
        setTimeout(() => append(user.openid, { source: 'custom', message: text(MORE_TEXT) }), 30);
        return undefined;
      case 'too many cards':
        return append(user.openid, {
          source: 'error',
          error: { kind: 'dropped', rule: DROP_RULE },
        });
      case 'down':
        return append(user.openid, { source: 'error', error: { kind: 'failed', tries: 3 } });
      case 'refused':
        calls.push({ id: calls.length + 1, api: 'message/custom/send', errcode: 45015 });
        return undefined;
      case '  ':
        return undefined;
      default:
        return reply(user, text(`You said ${String(action.text)}`));
    }
  };

  const app = express();
  app.use(express.json());
  app.use((req, res, next) => {
    if (req.headers.authorization !== `Bearer ${STUB_TOKEN}`)
      return void res.status(401).json({ error: 'a bearer token is required' });
    next();
  });
  app.post('/sim/api/users', (req, res) => {
    const openid = `o${String(users.size + 1).padStart(27, '0')}`;
    users.set(openid, {
      openid,
      nickname: req.body.nickname,
      following: false,
      pushed: false,
      items: [],
    });
    res.status(201).json({ openid, nickname: req.body.nickname });
  });
  app.post('/sim/api/users/:openid/actions', (req, res) => {
    const user = users.get(req.params.openid);
    if (!user) return void res.status(404).json({ error: 'no such user' });
    const action = req.body as Record<string, unknown>;
    if (action.type === 'click' && !MENU_KEYS.includes(String(action.key)))
      return void res
        .status(400)
        .json({ error: `no button with key ${String(action.key)} in the published menu` });
    actions.push(action);
    behave(user, action);
    res.json({ ok: true });
  });
  app.get('/sim/api/users/:openid/timeline', (req, res) => {
    const user = users.get(req.params.openid);
    if (!user) return void res.status(404).json({ error: 'no such user' });
    const limit = Number(req.query.limit ?? 20);
    res.json({ items: user.items.slice(-limit).reverse() });
  });
  app.post('/sim/api/clock', (req, res) => {
    const match = /^(\d+)([smhd])$/.exec(String(req.body.advance));
    if (!match) return void res.status(400).json({ error: 'advance: not a duration' });
    const ms = Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 0);
    clockMs += ms;
    movedMs += ms;
    if (movedMs >= PUSH_AFTER_MS)
      for (const user of users.values())
        if (user.following && !user.pushed) {
          user.pushed = true;
          append(user.openid, { source: 'mass', message: news(PUSH_TITLE) });
        }
    res.json({ now: at() });
  });
  app.post('/sim/api/faults', (req, res) => {
    faults.push(req.body);
    res.json({ ok: true });
  });
  app.get('/sim/api/platform', (_req, res) => res.json({ calls: [...calls].reverse() }));

  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sim/api`,
    actions,
    faults,
    users,
    append,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function text(content: string) {
  return { msgtype: 'text', text: content };
}

function news(...titles: string[]) {
  return {
    msgtype: 'news',
    articles: titles.map((title) => ({ title, url: 'https://example.org' })),
  };
}
