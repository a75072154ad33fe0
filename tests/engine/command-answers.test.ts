import { afterEach, describe, expect, it } from 'vitest';
import { engineFixture, shown, type EngineFixture } from './engine-fixture.ts';

const DEFAULT_REPLY = 'Sorry, I found nothing on that';
const LATEST_RANGE = 'latest takes a number from 1 to 8';

let fixture: EngineFixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

describe('the timezone command', () => {
  it.each(['UTC', 'utc', 'GMT', 'gmt', 'Etc/UTC', 'Etc/GMT', 'etc/utc', 'Z', 'Zulu', 'ＵＴＣ'])(
    'accepts %s as UTC',
    async (name) => {
      fixture = await engineFixture();
      expect(shown(await fixture.say('tz', `timezone ${name}`))).toEqual([
        'Time zone set: UTC. Your quiet hours are read in it.',
      ]);
    },
  );

  it('accepts region names in any case, in English and Chinese', async () => {
    fixture = await engineFixture();
    expect(shown(await fixture.say('tz', 'timezone europe/berlin'))[0]).toContain('Europe/Berlin');
    expect(shown(await fixture.say('tz', '时区 Asia/Shanghai'))[0]).toContain('Asia/Shanghai');
  });

  it.each(['Mars/Olympus', 'EST', 'CST', 'Nowhere', 'UTC+25', 'Europe/Berlin/Extra'])(
    'refuses %s, echoing it as typed',
    async (name) => {
      fixture = await engineFixture();
      expect(shown(await fixture.say('tz', `timezone ${name}`))[0]).toMatch(
        new RegExp(`^"${name.replace(/[+/]/g, '\\$&')}" is not a time zone`),
      );
    },
  );
});

describe('the latest command', () => {
  it.each(['latest 0', 'latest 9', 'latest 20', 'latest 100', '最新 0', 'latest 00'])(
    'answers %j with the range it takes',
    async (text) => {
      fixture = await engineFixture();
      expect(shown(await fixture.say('l', text))).toEqual([`${LATEST_RANGE}, e.g. "latest 3".`]);
    },
  );

  it.each([
    ['latest 1', 1],
    ['latest 8', 8],
    ['最新 2', 2],
  ])('answers %j with that many cards', async (text, count) => {
    fixture = await engineFixture();
    const [cards] = await fixture.say('l', text);
    expect(cards?.type === 'articles' && cards.articles.length).toBe(count);
  });
});

describe('a menu click with a key no button has', () => {
  it.each(['NOPE', 'latest', 'about', '', ' ', 'x'.repeat(500)])(
    'answers %j with the default reply and logs a warning',
    async (key) => {
      fixture = await engineFixture();
      const replies = await fixture.send({ user: 'm', kind: 'event', event: 'click', key });
      expect(shown(replies)).toEqual([expect.stringContaining(DEFAULT_REPLY)]);
      const warning = fixture.logLines().find((line) => String(line.msg).startsWith('menu click'));
      expect(warning).toMatchObject({ level: 40, key: key.slice(0, 128) });
    },
  );
});

describe('search through the engine', () => {
  it.each(['this', 'what is this?', 'the', '的', '这个是什么'])(
    'answers %j, which is only stop words, with the default reply',
    async (text) => {
      fixture = await engineFixture();
      expect(shown(await fixture.say('s', text))).toEqual([expect.stringContaining(DEFAULT_REPLY)]);
    },
  );
});
