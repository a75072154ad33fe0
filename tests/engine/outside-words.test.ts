import { afterEach, describe, expect, it } from 'vitest';
import { engineFixture, shown, type EngineFixture } from './engine-fixture.ts';
import { ODD_ENTRY, PROTOTYPE_VARIANTS, rulesWithOddTopic } from './odd-words.ts';

const DEFAULT_REPLY = 'Sorry, I found nothing on that';

let fixture: EngineFixture | undefined;
afterEach(async () => {
  await fixture?.cleanup();
  fixture = undefined;
});

describe('words that are names of Object.prototype', () => {
  it('are ordinary messages: searched, then answered with the default reply', async () => {
    fixture = await engineFixture();
    for (const word of PROTOTYPE_VARIANTS) {
      const replies = await fixture.say('proto', word);
      expect(shown(replies), word).toEqual([expect.stringContaining(DEFAULT_REPLY)]);
    }
  });

  it('are unknown topics to subscribe to or leave, in English and Chinese', async () => {
    fixture = await engineFixture();
    for (const word of PROTOTYPE_VARIANTS) {
      for (const command of ['subscribe', 'unsubscribe', '订阅', '退订']) {
        const [answer] = shown(await fixture.say('proto', `${command} ${word}`));
        expect(answer, `${command} ${word}`).toContain('There is no topic');
      }
    }
    const [events] = shown(await fixture.say('proto', 'subscribe events'));
    expect(events).toBe('Subscribed to events (活动). You receive: events (活动).');
  });

  it('are unknown menu keys, answered with the default reply', async () => {
    fixture = await engineFixture();
    for (const key of PROTOTYPE_VARIANTS) {
      const replies = await fixture.send({ user: 'proto', kind: 'event', event: 'click', key });
      expect(shown(replies), key).toEqual([expect.stringContaining(DEFAULT_REPLY)]);
    }
  });

  it('work as declared topics, topic aliases, rule names and rule keywords', async () => {
    fixture = await engineFixture({
      files: { 'rules.yaml': await rulesWithOddTopic(), 'entries/odd-topics.md': ODD_ENTRY },
    });
    // `__proto__` is not a topic name (names start with a letter or digit): refused, and
    // the entry keeps its declared topics only.
    expect(fixture.library.get('odd-topics')?.topics).toEqual(['constructor', 'events']);
    expect(fixture.logLines()).toContainEqual(
      expect.objectContaining({ where: 'topic "__proto__"', file: expect.any(String) }),
    );
    expect(shown(await fixture.say('odd', 'subscribe constructor'))).toEqual([
      'Subscribed to constructor (构造). You receive: constructor (构造).',
    ]);
    expect(shown(await fixture.say('odd', 'subscribe tostring'))[0]).toContain(
      'constructor (构造)',
    );
    expect(shown(await fixture.say('odd', '订阅 events'))[0]).toContain('events (活动)');
    expect(shown(await fixture.say('odd', 'topics'))[0]).toContain('✓ constructor (构造)');
    expect(shown(await fixture.say('odd', 'valueOf'))).toEqual(['odd rule answered']);
    expect(shown(await fixture.say('odd', 'what is __proto__ for'))).toEqual(['odd rule answered']);
    expect(shown(await fixture.say('odd', 'oddity'))).toEqual(['odd-topics']);
  });
});
