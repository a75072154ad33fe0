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

/** The command a message is, if it is one: `{ name, arg }` with the rest of the message as `arg`. */
export function parseCommand(text: string): { name: CommandName; arg: string } | undefined {
  const folded = normalizeText(text);
  const space = folded.indexOf(' ');
  const head = space === -1 ? folded : folded.slice(0, space);
  const name = WORDS.get(head);
  if (name) return { name, arg: space === -1 ? '' : folded.slice(space + 1) };
  const chinese = CHINESE_WORDS.find((word) => folded.startsWith(word));
  if (chinese) return { name: WORDS.get(chinese)!, arg: folded.slice(chinese.length).trim() };
  return undefined;
}
