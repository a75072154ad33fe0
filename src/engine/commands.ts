import { normalizeText } from '../text/normalize.ts';

export type CommandName =
  | 'help'
  | 'latest'
  | 'more'
  | 'topics'
  | 'subscribe'
  | 'unsubscribe'
  | 'quiet'
  | 'timezone'
  | 'digest';

/**
 * Command words in English and Chinese. Chinese ones may be followed by their argument without
 * a space (订阅外交). A Map, not an object: the lookup key is the user's first word, and
 * `constructor` or `__proto__` must find nothing rather than Object's own members.
 */
const WORDS = new Map<string, CommandName>(
  Object.entries<CommandName>({
    help: 'help',
    '?': 'help',
    帮助: 'help',
    latest: 'latest',
    new: 'latest',
    最新: 'latest',
    more: 'more',
    next: 'more',
    更多: 'more',
    topics: 'topics',
    栏目: 'topics',
    subscribe: 'subscribe',
    sub: 'subscribe',
    订阅: 'subscribe',
    unsubscribe: 'unsubscribe',
    unsub: 'unsubscribe',
    退订: 'unsubscribe',
    取消订阅: 'unsubscribe',
    quiet: 'quiet',
    免打扰: 'quiet',
    timezone: 'timezone',
    tz: 'timezone',
    时区: 'timezone',
    digest: 'digest',
    摘要: 'digest',
  }),
);
const CHINESE_WORDS = [...WORDS.keys()]
  .filter((word) => /\p{Script=Han}/u.test(word))
  .sort((a, b) => b.length - a.length);

/**
 * The command a message is, if it is one: `{ name, arg }` with the rest of the message as
 * `arg`, folded for matching, and `rawArg`, the rest as the user typed it, for answers that
 * echo it.
 */
export function parseCommand(
  text: string,
): { name: CommandName; arg: string; rawArg: string } | undefined {
  const folded = normalizeText(text);
  const raw = text.trim();
  const space = folded.indexOf(' ');
  const head = space === -1 ? folded : folded.slice(0, space);
  const name = WORDS.get(head);
  if (name) {
    const rawSpace = raw.search(/\s/u);
    const rawArg = rawSpace === -1 ? '' : raw.slice(rawSpace).trim();
    return { name, arg: space === -1 ? '' : folded.slice(space + 1), rawArg };
  }
  const chinese = CHINESE_WORDS.find((word) => folded.startsWith(word));
  if (!chinese) return undefined;
  // Han characters are the same folded and as typed, so the word's length cuts both.
  return {
    name: WORDS.get(chinese)!,
    arg: folded.slice(chinese.length).trim(),
    rawArg: raw.slice(chinese.length).trim(),
  };
}
