import type { Handler } from '../compose.ts';
import { parseCommand, type CommandName } from '../commands.ts';
import type { TurnContext } from '../context.ts';
import { articlesReply } from '../reply-specs.ts';
import { resolveTopic, topicLabel } from '../topics.ts';
import { searchPage } from './archive-search.ts';
import { formatQuietHours, parseQuietHours } from '../../time/quiet-hours.ts';
import { canonicalTimeZone } from '../../time/time-zone.ts';
import { MAX_ARTICLES } from '../types.ts';

/**
 * The built-in commands. A message that looks like a command but is not one of its forms
 * (`latest news`, not `latest 3`) passes on to the keyword rules and the search.
 */
export const handleCommands: Handler<TurnContext> = async (ctx, next) => {
  if (ctx.inbound.kind !== 'text') return next();
  const command = parseCommand(ctx.inbound.text);
  if (!command) return next();
  const handled = await COMMANDS[command.name](ctx, command.arg, command.rawArg);
  return handled ? undefined : next();
};

const say = (ctx: TurnContext, text: string) => {
  ctx.replies.push({ type: 'text', text });
  return true;
};

/** `arg` folded for matching; `rawArg` as typed, for echoing back. */
const COMMANDS: Record<
  CommandName,
  (ctx: TurnContext, arg: string, rawArg: string) => boolean | Promise<boolean>
> = {
  help(ctx, arg) {
    if (arg) return false;
    const topics = ctx.deps.library.topics().map((name) => topicLabel(name, ctx.rules));
    return say(
      ctx,
      [
        'Send me any word to search the archive (English or 中文). Commands:',
        '• latest [N] / 最新 — the newest entries',
        '• more / 更多 — more results of your last search',
        '• topics / 栏目 — the topics you can follow',
        '• subscribe [topic] / 订阅 [topic] — receive new entries (all, or one topic)',
        '• unsubscribe [topic] / 退订 [topic] — stop receiving them (all, or one topic)',
        '• quiet 22-7 / 免打扰 22-7 — hold broadcasts during those hours (quiet off / 免打扰 关闭)',
        '• timezone Europe/Berlin / 时区 Asia/Shanghai — the time zone of your quiet hours',
        '• digest daily / 摘要 每天 — one message a day instead of each broadcast (digest off / 摘要 关闭)',
        '• help / 帮助 — this list',
        topics.length ? `Topics: ${topics.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  },

  latest(ctx, arg) {
    if (arg && !/^\d+$/.test(arg)) return false;
    const count = arg ? Number(arg) : Math.min(ctx.deps.pageSize, MAX_ARTICLES);
    if (!Number.isInteger(count) || count < 1 || count > MAX_ARTICLES)
      return say(ctx, `latest takes a number from 1 to ${MAX_ARTICLES}, e.g. "latest 3".`);
    const entries = ctx.deps.library.latest(count, { now: ctx.now });
    if (entries.length === 0) return say(ctx, 'Nothing has been published yet.');
    ctx.replies.push(articlesReply(entries, ctx.deps.publicUrl));
    return true;
  },

  async more(ctx, arg) {
    if (arg) return false;
    const { channel, user } = ctx.inbound;
    const last = await ctx.deps.sessions.lastSearch(channel, user);
    if (!last) return say(ctx, 'There is nothing more to show. Send a word to search the archive.');
    if (!(await searchPage(ctx, last.query, last.offset))) {
      await ctx.deps.sessions.saveSearch(channel, user, undefined, ctx.inbound.time);
      return say(ctx, `No more results for "${last.query}".`);
    }
    return true;
  },

  async topics(ctx, arg) {
    if (arg) return false;
    const known = ctx.deps.library.topics();
    if (known.length === 0) return say(ctx, 'There are no topics yet.');
    const subscriber = await ctx.deps.subscribers.get(ctx.inbound.channel, ctx.inbound.user);
    const mine = subscriber?.state === 'active' ? subscriber.topics : undefined;
    const lines = known.map(
      (name) => `${mine?.includes(name) ? '✓' : '•'} ${topicLabel(name, ctx.rules)}`,
    );
    const status = !mine
      ? 'You are not subscribed.'
      : mine.length === 0
        ? 'You receive every topic.'
        : 'You receive the topics marked ✓.';
    return say(
      ctx,
      `Topics:\n${lines.join('\n')}\n${status} Send "subscribe <topic>" to follow one.`,
    );
  },

  async subscribe(ctx, arg, rawArg) {
    const { channel, user, time } = ctx.inbound;
    const { subscribers, library } = ctx.deps;
    if (!arg) {
      await subscribers.save(channel, user, { state: 'active', topics: [] }, time);
      return say(ctx, 'You are subscribed to every new entry. Send "topics" to follow only some.');
    }
    const topic = resolveTopic(arg, library.topics(), ctx.rules);
    if (!topic) return say(ctx, unknownTopic(ctx, rawArg));
    const current = await subscribers.get(channel, user);
    const topics = current?.state === 'active' ? [...new Set([...current.topics, topic])] : [topic];
    await subscribers.save(channel, user, { state: 'active', topics }, time);
    return say(
      ctx,
      `Subscribed to ${topicLabel(topic, ctx.rules)}. You receive: ${topics.map((t) => topicLabel(t, ctx.rules)).join(', ')}.`,
    );
  },

  async quiet(ctx, arg) {
    const { channel, user, time } = ctx.inbound;
    if (!arg) {
      const quiet = (await ctx.deps.subscribers.get(channel, user))?.quiet;
      return say(
        ctx,
        quiet
          ? `Your quiet hours: ${formatQuietHours(quiet)}. Send "quiet off" to end them.`
          : 'You have no quiet hours. Send e.g. "quiet 22-7" to hold broadcasts from 22:00 to 07:00.',
      );
    }
    if (OFF.has(arg)) {
      await ctx.deps.subscribers.setPreferences(channel, user, { quiet: null }, time);
      return say(ctx, 'Quiet hours off: broadcasts reach you when they are sent.');
    }
    const quiet = parseQuietHours(arg);
    if (!quiet) return say(ctx, 'Send quiet hours as "quiet 22-7" or "quiet 22:30-6:45".');
    const saved = await ctx.deps.subscribers.setPreferences(channel, user, { quiet }, time);
    return say(
      ctx,
      `Quiet hours set: ${formatQuietHours(quiet)}${saved.timeZone ? ` (${saved.timeZone})` : ''}. Broadcasts in those hours wait until they end.`,
    );
  },

  async timezone(ctx, arg, rawArg) {
    const { channel, user, time } = ctx.inbound;
    if (!arg) {
      const zone = (await ctx.deps.subscribers.get(channel, user))?.timeZone;
      return say(
        ctx,
        `Your time zone: ${zone ?? "the account's"}. Send e.g. "timezone Europe/Berlin" to change it.`,
      );
    }
    const zone = userTimeZone(arg);
    if (!zone) {
      return say(
        ctx,
        `"${rawArg}" is not a time zone. Send a name such as Europe/Berlin, Asia/Shanghai or UTC.`,
      );
    }
    await ctx.deps.subscribers.setPreferences(channel, user, { timeZone: zone }, time);
    return say(ctx, `Time zone set: ${zone}. Your quiet hours are read in it.`);
  },

  async digest(ctx, arg) {
    const { channel, user, time } = ctx.inbound;
    const mode = DAILY.has(arg) ? 'daily' : OFF.has(arg) ? 'off' : undefined;
    if (!mode) return say(ctx, 'Send "digest daily" (摘要 每天) or "digest off" (摘要 关闭).');
    await ctx.deps.subscribers.setPreferences(channel, user, { digest: mode }, time);
    return say(
      ctx,
      mode === 'daily'
        ? 'Digest on: one message a day with everything new, instead of each broadcast.'
        : 'Digest off: you receive each broadcast as it is sent.',
    );
  },

  async unsubscribe(ctx, arg, rawArg) {
    const { channel, user, time } = ctx.inbound;
    const { subscribers, library } = ctx.deps;
    const current = await subscribers.get(channel, user);
    if (!arg) {
      if (current?.state === 'active')
        await subscribers.save(channel, user, { state: 'unsubscribed' }, time);
      return say(
        ctx,
        'You are unsubscribed and will receive no more entries. Send "subscribe" to come back.',
      );
    }
    const topic = resolveTopic(arg, library.topics(), ctx.rules);
    if (!topic) return say(ctx, unknownTopic(ctx, rawArg));
    if (current?.state !== 'active' || !current.topics.includes(topic)) {
      return say(ctx, `You do not follow ${topicLabel(topic, ctx.rules)}.`);
    }
    const topics = current.topics.filter((t) => t !== topic);
    if (topics.length === 0) {
      await subscribers.save(channel, user, { state: 'unsubscribed', topics: [] }, time);
      return say(
        ctx,
        `Unsubscribed from ${topicLabel(topic, ctx.rules)}, your last topic: you receive nothing now.`,
      );
    }
    await subscribers.save(channel, user, { topics }, time);
    return say(
      ctx,
      `Unsubscribed from ${topicLabel(topic, ctx.rules)}. You receive: ${topics.map((t) => topicLabel(t, ctx.rules)).join(', ')}.`,
    );
  },
};

const OFF = new Set(['off', 'none', 'stop', '关闭', '关', '取消']);
const DAILY = new Set(['daily', 'on', 'day', '每天', '每日', '开启']);

function unknownTopic(ctx: TurnContext, arg: string): string {
  const known = ctx.deps.library.topics().map((name) => topicLabel(name, ctx.rules));
  return `There is no topic "${arg}". Topics: ${known.join(', ') || 'none yet'}.`;
}

/** What people write for UTC; Intl knows most, but they carry no "/" like the region names. */
const UTC_NAMES = new Set(['utc', 'gmt', 'z', 'zulu', 'uct', 'universal', 'etc/utc', 'etc/gmt']);

/**
 * A time zone as a user gives it: an IANA region name (`Europe/Berlin`, any case) or a
 * name of UTC. Abbreviations such as `EST` or `CST` are refused: they are ambiguous, and
 * one name with a "/" says where the user is, summer time included.
 */
function userTimeZone(arg: string): string | undefined {
  if (UTC_NAMES.has(arg)) return 'UTC';
  return arg.includes('/') ? canonicalTimeZone(arg) : undefined;
}
