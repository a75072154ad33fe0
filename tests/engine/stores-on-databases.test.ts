import { afterEach, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/postgres.ts';
import { engineFixture, shown, type EngineFixture } from './engine-fixture.ts';

const NO_MORE = 'There is nothing more to show';

/** What the engine keeps of a conversation, through the stores, on each database. */
describe.each(DATABASES)('the engine with its stores on %s', (database) => {
  let fixture: EngineFixture | undefined;
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });

  it('follows a user through follow, topics, unsubscribe and unfollow', async () => {
    fixture = await engineFixture({ database });
    const { subscribers } = fixture;
    await fixture.send({ user: 'ann', kind: 'event', event: 'follow' });
    expect(await subscribers.get('test', 'ann')).toMatchObject({ state: 'active', topics: [] });

    await fixture.say('ann', 'subscribe events');
    await fixture.say('ann', '订阅 指南');
    expect((await subscribers.get('test', 'ann'))?.topics).toEqual(['events', 'guides']);
    expect(shown(await fixture.say('ann', 'topics'))[0]).toContain('✓ events (活动)');

    await fixture.say('ann', 'unsubscribe events');
    expect((await subscribers.get('test', 'ann'))?.topics).toEqual(['guides']);
    await fixture.send({ user: 'ann', kind: 'event', event: 'unfollow' });
    expect(await subscribers.get('test', 'ann')).toMatchObject({
      state: 'unsubscribed',
      topics: ['guides'],
    });
  });

  it('keeps quiet hours, a time zone and the digest, and clears quiet hours', async () => {
    fixture = await engineFixture({ database });
    await fixture.say('bo', 'timezone Europe/Berlin');
    await fixture.say('bo', 'quiet 22-7');
    await fixture.say('bo', 'digest daily');
    expect(await fixture.subscribers.get('test', 'bo')).toMatchObject({
      state: 'unsubscribed',
      timeZone: 'Europe/Berlin',
      quiet: { start: 22 * 60, end: 7 * 60 },
      digest: 'daily',
    });
    expect(shown(await fixture.say('bo', 'quiet'))[0]).toContain('22:00');
    await fixture.say('bo', 'quiet off');
    expect((await fixture.subscribers.get('test', 'bo'))?.quiet).toBeUndefined();
  });

  it('pages a search with "more" until it runs out, then forgets it', async () => {
    fixture = await engineFixture({ database, pageSize: 2 });
    const seen = new Set(shown(await fixture.say('cy', 'party'))[0]!.split(','));
    let last = '';
    for (let page = 0; page < 20 && !last.startsWith(NO_MORE); page++) {
      const replies = await fixture.say('cy', 'more');
      last = shown(replies)[0]!;
      if (replies[0]?.type !== 'articles') continue;
      for (const id of last.split(',')) {
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
    }
    expect(last).toMatch(new RegExp(`^${NO_MORE}`));
    expect(seen.size).toBeGreaterThan(2);
  });

  it('counts unanswered queries and rule hits', async () => {
    fixture = await engineFixture({ database });
    await fixture.say('di', 'quantum chromodynamics');
    await fixture.say('ed', 'Quantum Chromodynamics');
    await fixture.say('di', 'about');
    expect(await fixture.conversations.unanswered()).toEqual([
      { query: 'quantum chromodynamics', count: 2, lastAt: expect.any(Date) },
    ]);
    expect(await fixture.conversations.ruleHits()).toEqual([{ rule: 'about', hits: 1 }]);
  });
});
