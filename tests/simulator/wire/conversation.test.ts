import { afterEach, describe, expect, it } from 'vitest';
import { OPENID_PATTERN } from '../../../src/simulator/users/population.ts';
import { act, startWorld, textOf, timelineOf, type Mode, type SimWorld } from '../sim-fixture.ts';

const POPULATION = 20;
const WELCOME = 'Welcome to the WeChat account';
/** Both greeting replies of the sample account say hello in Chinese. */
const GREETING = '你好';

let world: SimWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe.each<Mode>(['plain', 'safe', 'compat'])(
  'a population over the wire in %s mode',
  (mode) => {
    it('follows, gets the follow reply, says hello and gets a keyword reply', async () => {
      world = await startWorld({ mode });
      const w = world;
      const made = await w.api<{ openids: string[] }>('POST', '/users', {
        count: POPULATION,
        seed: `chat-${mode}`,
      });
      expect(made.status).toBe(201);
      const openids = made.json.openids;
      expect(openids).toHaveLength(POPULATION);
      for (const openid of openids) expect(openid).toMatch(OPENID_PATTERN);

      for (const openid of openids) {
        const follow = await act(w, openid, { type: 'follow' });
        expect(follow.status).toBe(200);
        expect(follow.json.exchange.verdict.outcome).toBe('shown');
        expect(follow.json.exchange.encrypted).toBe(mode !== 'plain');
        const hello = await act(w, openid, { type: 'text', text: 'hello' });
        expect(hello.json.exchange.tries).toHaveLength(1);
      }
      for (const openid of openids) {
        const items = await timelineOf(w, openid);
        const shown = items.filter((i) => i.source === 'reply').map(textOf);
        expect(items.map((i) => i.source)).toEqual(['user', 'reply', 'user', 'reply']);
        expect(shown[0]).toContain(WELCOME);
        expect(shown[1]).toContain(GREETING);
      }
      const user = await w.api<{ user: Record<string, unknown> }>('GET', `/users/${openids[0]}`);
      expect(user.json.user).toMatchObject({
        subscribed: true,
        subscribeScene: 'ADD_SCENE_SEARCH',
      });
      expect(user.json.user.lastMessageAt).toBeDefined();
    });
  },
);
