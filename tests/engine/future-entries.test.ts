import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/engine/types.ts';
import { SAMPLE_MESSAGES } from '../helpers/temp-service.ts';
import { engineFixture, shownIds, type EngineFixture } from './engine-fixture.ts';

const FUTURE_ID = 'zeppelin-forum';
const BEFORE = new Date('2026-01-01T00:00:00Z');
/** The entry's date, 2026-03-01 09:00 in Shanghai, has passed. */
const AFTER = new Date('2026-03-01T01:00:01Z');
const FUTURE_ENTRY = `---
title: Zeppelin forum of political parties opens
date: 2026-03-01T09:00:00+08:00
summary: A party forum on airships.
keywords: [zeppelin, party forum]
topics: [events]
---
The party forum on zeppelins gathers parties from many countries; party delegates talk.
`;

async function fixtureWithFutureEntry(clock: { now: Date }): Promise<EngineFixture> {
  const rules = (await readFile(join(SAMPLE_MESSAGES, 'rules.yaml'), 'utf8')).replaceAll(
    'entries: [account-launch]',
    `entries: [${FUTURE_ID}, account-launch]`,
  );
  return engineFixture({
    files: { 'rules.yaml': rules, [`entries/${FUTURE_ID}.md`]: FUTURE_ENTRY },
    now: () => clock.now,
    pageSize: 3,
  });
}

/** Every entry shown by the ways an entry reaches a user in a conversation. */
async function everythingShown(fixture: EngineFixture, user: string): Promise<string[]> {
  const ids: string[] = [];
  const collect = (replies: Reply[]) => ids.push(...shownIds(replies));
  for (const text of ['zeppelin', 'about', 'latest 8', 'latest', '最新', 'events', 'party forum'])
    collect(await fixture.say(user, text));
  for (const key of ['ABOUT', 'LATEST', 'TOPIC_EVENTS'])
    collect(await fixture.send({ user, kind: 'event', event: 'click', key }));
  // Page through a search the entry matches, to the end.
  collect(await fixture.say(user, 'party'));
  for (let page = 0; page < 10; page++) {
    const more = await fixture.say(user, 'more');
    if (shownIds(more).length === 0) break;
    collect(more);
  }
  return ids;
}

let fixture: EngineFixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

describe('an entry dated in the future', () => {
  it('reaches no user before its date: search, pages, rules, menus, latest', async () => {
    const clock = { now: BEFORE };
    fixture = await fixtureWithFutureEntry(clock);
    expect(fixture.library.get(FUTURE_ID)).toBeDefined();
    const ids = await everythingShown(fixture, 'early');
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).not.toContain(FUTURE_ID);
  });

  it('reaches users by every path once the clock passes its date', async () => {
    const clock = { now: BEFORE };
    fixture = await fixtureWithFutureEntry(clock);
    clock.now = AFTER;
    for (const text of ['zeppelin', 'about', 'latest 8', 'events']) {
      expect(shownIds(await fixture.say('late', text)), text).toContain(FUTURE_ID);
    }
    for (const key of ['ABOUT', 'LATEST', 'TOPIC_EVENTS']) {
      const replies = await fixture.send({ user: 'late', kind: 'event', event: 'click', key });
      expect(shownIds(replies), key).toContain(FUTURE_ID);
    }
  });

  it('is found by a search paged before its date only once the date passes', async () => {
    const clock = { now: BEFORE };
    fixture = await fixtureWithFutureEntry(clock);
    const early = await fixture.say('pager', 'zeppelin');
    expect(shownIds(early)).toEqual([]);
    clock.now = AFTER;
    expect(shownIds(await fixture.say('pager', 'zeppelin'))).toEqual([FUTURE_ID]);
  });
});
