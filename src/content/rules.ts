import { RE2JS } from 're2js';
import { z } from 'zod';
import { describeIssue } from './describe-issue.ts';

/** What a rule, the follow reply, the default reply or a menu click answers with. */
export type ReplySpec =
  { text: string } | { entries: string[] } | { latest: number; topic?: string };

export type MatchMode = 'equal' | 'contain' | 'regex';

export interface KeywordRule {
  name: string;
  keywords: { keyword: string; match: MatchMode }[];
  replyMode: 'reply_all' | 'random_one';
  replies: ReplySpec[];
}

export type MenuButton =
  | { name: string; click: string; replies: ReplySpec[] }
  | { name: string; view: string }
  | { name: string; subButtons: MenuButton[] };

export interface TopicInfo {
  label?: string;
  aliases: string[];
}

/** The reply rules of `messages/rules.yaml`, validated. */
export interface Rules {
  followReply: ReplySpec[];
  defaultReply: ReplySpec[];
  rules: KeywordRule[];
  menu: MenuButton[];
  /** Declared topics by lower-case name. A Map: users' words are looked up in it. */
  topics: ReadonlyMap<string, TopicInfo>;
}

export const DEFAULT_RULES: Rules = {
  followReply: [{ text: 'Thanks for following! Send "help" to see what I can do.' }],
  defaultReply: [{ text: 'Sorry, I found nothing for that. Send "help" to see what I can do.' }],
  rules: [],
  menu: [],
  topics: new Map(),
};

const utf8Max = (bytes: number) => (value: string) => Buffer.byteLength(value) <= bytes;

const replySpec: z.ZodType<ReplySpec> = z.union(
  [
    z.strictObject({
      text: z
        .string()
        .min(1, 'text must not be empty')
        .max(2000, 'text must be at most 2000 characters'),
    }),
    z.strictObject({
      entries: z
        .array(z.string().min(1))
        .min(1, 'entries must name at least one entry')
        .max(8, 'at most 8 entries (the platform limit)'),
    }),
    z.strictObject({
      latest: z
        .number()
        .int('latest must be a whole number')
        .min(1, 'latest must be 1 to 8')
        .max(8, 'latest must be 1 to 8'),
      topic: z.string().min(1).optional(),
    }),
  ],
  { error: 'each reply is {text: ...}, {entries: [ids]} or {latest: N, topic?: ...}' },
);
const replies = z
  .array(replySpec, { error: 'must be a list of replies' })
  .min(1, 'needs at least one reply')
  .max(5, 'at most 5 replies (the platform limit)');

const keyword = z
  .union([
    z.string().transform((keyword) => ({ keyword, match: 'equal' as const })),
    z.strictObject({
      keyword: z.string(),
      match: z
        .enum(['equal', 'contain', 'regex'], { error: 'match must be equal, contain or regex' })
        .default('equal'),
    }),
  ])
  .refine(
    (k) => k.keyword.trim().length > 0 && k.keyword.length <= 30,
    'a keyword is 1 to 30 characters',
  )
  .superRefine((k, ctx) => {
    const problem = k.match === 'regex' ? re2Problem(k.keyword) : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const rule = z.strictObject({
  name: z.string().min(1).max(60),
  keywords: z
    .array(keyword, { error: 'keywords must be a list' })
    .min(1, 'needs at least one keyword')
    .max(10, 'at most 10 keywords (the platform limit)'),
  reply_mode: z
    .enum(['reply_all', 'random_one'], { error: 'reply_mode must be reply_all or random_one' })
    .default('reply_all'),
  replies,
});

const menuKey = z.string().min(1).max(128);
const leafButton = z.union([
  z.strictObject({
    name: z.string().min(1).refine(utf8Max(60), 'a sub-button name is at most 60 bytes'),
    click: menuKey,
    replies,
  }),
  z.strictObject({
    name: z.string().min(1).refine(utf8Max(60), 'a sub-button name is at most 60 bytes'),
    view: z.url({ protocol: /^https?$/ }),
  }),
]);
const topButton = z.union([
  leafButton,
  z.strictObject({
    name: z.string().min(1).refine(utf8Max(16), 'a button name is at most 16 bytes'),
    sub_buttons: z.array(leafButton).min(1).max(5, 'at most 5 sub-buttons'),
  }),
]);
const menu = z.array(topButton).max(3, 'at most 3 buttons').default([]);

const topicInfo = z.strictObject({
  label: z.string({ error: 'label must be text' }).max(30).optional(),
  aliases: z
    .array(z.string().min(1).max(30), { error: 'aliases must be a list of words' })
    .max(20)
    .default([]),
});
const TOPIC_NAME = /^[\p{L}\p{N}][\p{L}\p{N}_-]{0,29}$/u;

/** A part of the rules file that was not used, and why. */
export interface RuleProblem {
  where: string;
  reason: string;
  line?: number;
}

/**
 * Validates the parsed rules file part by part: a bad rule is reported by name and
 * skipped, a bad section falls back to its default, and everything valid is kept.
 */
export function validateRules(
  data: unknown,
  lineOf: (path: (string | number)[]) => number | undefined = () => undefined,
): { rules: Rules; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const result: Rules = structuredClone(DEFAULT_RULES);
  if (data === null || data === undefined) return { rules: result, problems };
  if (typeof data !== 'object' || Array.isArray(data)) {
    return {
      rules: result,
      problems: [
        {
          where: 'rules file',
          reason: 'must be a mapping (follow_reply:, default_reply:, rules:, menu:, topics:)',
          line: 1,
        },
      ],
    };
  }
  const record = data as Record<string, unknown>;
  const known = new Set(['follow_reply', 'default_reply', 'rules', 'menu', 'topics']);
  for (const key of Object.keys(record)) {
    if (!known.has(key))
      problems.push({ where: key, reason: 'unknown section, ignored', line: lineOf([key]) });
  }
  const section = <T>(key: string, schema: z.ZodType<T>, apply: (value: T) => void) => {
    if (record[key] === undefined) return;
    const parsed = schema.safeParse(record[key]);
    if (parsed.success) apply(parsed.data);
    else problems.push(describe(key, parsed.error, record[key], [key], lineOf));
  };
  section('follow_reply', replies, (value) => (result.followReply = value));
  section('default_reply', replies, (value) => (result.defaultReply = value));
  if (record.topics !== undefined) result.topics = validateTopics(record.topics, problems, lineOf);
  section('menu', menu, (value) => (result.menu = value.map(toMenuButton)));

  if (record.rules !== undefined) {
    if (!Array.isArray(record.rules)) {
      problems.push({ where: 'rules', reason: 'must be a list of rules', line: lineOf(['rules']) });
    } else {
      record.rules.slice(0, 200).forEach((raw, index) => {
        const name =
          typeof (raw as { name?: unknown })?.name === 'string'
            ? (raw as { name: string }).name
            : `#${index + 1}`;
        const parsed = rule.safeParse(raw);
        if (!parsed.success) {
          problems.push(describe(`rule "${name}"`, parsed.error, raw, ['rules', index], lineOf));
          return;
        }
        const { name: ruleName, keywords, reply_mode, replies: ruleReplies } = parsed.data;
        result.rules.push({
          name: ruleName,
          keywords,
          replyMode: reply_mode,
          replies: ruleReplies,
        });
      });
      if (record.rules.length > 200)
        problems.push({
          where: 'rules',
          reason: 'at most 200 rules (the platform limit); the rest ignored',
        });
    }
  }
  const clickKeys = collectClickKeys(result.menu);
  const duplicate = clickKeys.find((key, i) => clickKeys.indexOf(key) !== i);
  if (duplicate) {
    problems.push({
      where: 'menu',
      reason: `click key "${duplicate}" is used twice; menu ignored`,
      line: lineOf(['menu']),
    });
    result.menu = [];
  }
  return { rules: result, problems };
}

type ParsedButton = z.infer<typeof topButton>;

function toMenuButton(button: ParsedButton): MenuButton {
  if ('sub_buttons' in button)
    return { name: button.name, subButtons: button.sub_buttons.map(toMenuButton) };
  return button;
}

function collectClickKeys(buttons: MenuButton[]): string[] {
  return buttons.flatMap((button) =>
    'subButtons' in button
      ? collectClickKeys(button.subButtons)
      : 'click' in button
        ? [button.click]
        : [],
  );
}

type LineOf = (path: (string | number)[]) => number | undefined;

function describe(
  where: string,
  error: z.ZodError,
  data: unknown,
  base: (string | number)[],
  lineOf: LineOf,
): RuleProblem {
  const issue = error.issues[0]!;
  const path = [...base, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')];
  return { where, reason: describeIssue(issue, data), line: lineOf(path) ?? lineOf(base) };
}

/**
 * The declared topics, each checked on its own: a bad one is reported and left out. Read
 * with Object.entries, so a topic named `__proto__` or `constructor` is an ordinary name.
 */
function validateTopics(
  raw: unknown,
  problems: RuleProblem[],
  lineOf: LineOf,
): Map<string, TopicInfo> {
  const topics = new Map<string, TopicInfo>();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({
      where: 'topics',
      reason: 'must be a mapping of topic names (events: {label: 活动, aliases: [活动]})',
      line: lineOf(['topics']),
    });
    return topics;
  }
  for (const [name, info] of Object.entries(raw)) {
    const line = lineOf(['topics', name]);
    if (!TOPIC_NAME.test(name)) {
      const reason = 'a topic name is 1 to 30 letters, digits, "-" or "_"';
      problems.push({ where: `topic "${name.slice(0, 60)}"`, reason, line });
      continue;
    }
    const parsed = topicInfo.safeParse(info ?? {});
    if (parsed.success) topics.set(name.toLowerCase(), parsed.data);
    else problems.push(describe(`topic "${name}"`, parsed.error, info, ['topics', name], lineOf));
  }
  return topics;
}

/**
 * Why a regex keyword cannot be used, or undefined. Regex rules run on RE2 (re2js), which
 * matches in time linear in the message: a backtracking pattern such as `^(a+)+$` cannot
 * freeze the process. RE2 has no backreferences or lookaround, so those are refused here.
 */
export function re2Problem(source: string): string | undefined {
  try {
    RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
    return undefined;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return `regex "${source}" is refused: ${detail} (regex rules use RE2: no backreferences or lookaround)`;
  }
}
