import { z } from 'zod';

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
  topics: Record<string, TopicInfo>;
}

export const DEFAULT_RULES: Rules = {
  followReply: [{ text: 'Thanks for following! Send "help" to see what I can do.' }],
  defaultReply: [{ text: 'Sorry, I found nothing for that. Send "help" to see what I can do.' }],
  rules: [],
  menu: [],
  topics: {},
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
  .refine((k) => k.match !== 'regex' || isRegex(k.keyword), 'regex keyword does not compile');

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

const topics = z
  .record(
    z.string(),
    z.strictObject({
      label: z.string().max(30).optional(),
      aliases: z.array(z.string().min(1).max(30)).default([]),
    }),
  )
  .default({});

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
    else problems.push(describe(key, parsed.error, [key], lineOf));
  };
  section('follow_reply', replies, (value) => (result.followReply = value));
  section('default_reply', replies, (value) => (result.defaultReply = value));
  section('topics', topics, (value) => {
    result.topics = Object.fromEntries(
      Object.entries(value).map(([name, info]) => [name.toLowerCase(), info]),
    );
  });
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
          problems.push(describe(`rule "${name}"`, parsed.error, ['rules', index], lineOf));
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

function describe(
  where: string,
  error: z.ZodError,
  base: (string | number)[],
  lineOf: (path: (string | number)[]) => number | undefined,
): RuleProblem {
  const issue = error.issues[0]!;
  const path = [...base, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')];
  const at = issue.path.length ? ` at ${issue.path.join('.')}` : '';
  return { where, reason: `${issue.message}${at}`, line: lineOf(path) ?? lineOf(base) };
}

function isRegex(source: string): boolean {
  try {
    new RegExp(source, 'iu');
    return true;
  } catch {
    return false;
  }
}
