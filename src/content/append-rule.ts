import { rename, writeFile } from 'node:fs/promises';
import { Document, isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { ContentError } from './content-error.ts';
import { parseYaml, readContentFile } from './read-content.ts';
import { validateRules, type MatchMode } from './rules.ts';

const MAX_RULES_BYTES = 1024 * 1024;
/** The loader reads at most this many rules (the platform's limit). */
const MAX_RULES = 200;

/** A keyword rule as `rules.yaml` writes it. */
export interface NewRule {
  name: string;
  keywords: { keyword: string; match: MatchMode }[];
  replies: ({ text: string } | { entries: string[] })[];
  /** A comment written above the rule, such as where it came from. */
  note?: string;
}

/** The rule was not added; `reason` says why, in words an operator can act on. */
export class RuleRefusedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RuleRefusedError';
  }
}

/** The data of a rule as the file holds it (snake case, no note). */
const asData = (rule: NewRule) => ({
  name: rule.name,
  keywords: rule.keywords,
  replies: rule.replies,
});

/**
 * Refuses a rule the rules loader would skip, with the loader's own reason, and a second
 * rule of the same name (the lint and the hit counts tell rules apart by name).
 */
export function checkRule(rule: NewRule, existing: { name: string }[]): void {
  const { problems } = validateRules({ rules: [asData(rule)] });
  if (problems[0]) throw new RuleRefusedError(problems[0].reason);
  if (existing.some((other) => other.name === rule.name))
    throw new RuleRefusedError(`there is already a rule named "${rule.name}"`);
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Appends a keyword rule to `rules.yaml`, keeping the file as the operator wrote it
 * (comments, order, quoting) through the yaml package's Document API. The file must be
 * valid YAML first: rewriting a file that does not parse could lose what it holds. The
 * new text replaces the old by a rename, so a reader never sees half a file; appends are
 * done one at a time. The caller reloads the rules (the file watcher may be off).
 */
export function appendRule(file: string, rule: NewRule): Promise<void> {
  const run = queue.then(() => append(file, rule));
  queue = run.catch(() => undefined);
  return run;
}

async function append(file: string, rule: NewRule): Promise<void> {
  const text = await readContentFile(file, MAX_RULES_BYTES).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  });
  let existing: { name: string }[] = [];
  try {
    const { data } = parseYaml(file, text);
    const rules = (data as { rules?: unknown } | null)?.rules;
    if (Array.isArray(rules)) existing = rules as { name: string }[];
  } catch (error) {
    if (error instanceof ContentError)
      throw new RuleRefusedError(`rules.yaml must be fixed first: ${error.reason}`);
    throw error;
  }
  checkRule(rule, existing);
  if (existing.length >= MAX_RULES)
    throw new RuleRefusedError(`rules.yaml already has ${MAX_RULES} rules (the platform limit)`);

  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, withRule(text, rule));
  await rename(temporary, file);
}

/**
 * The text of the file with the rule added as the last item of `rules:`. A block list is
 * spliced into (every other byte stays as it was, including the style of flow mappings);
 * a file without one is rewritten by the Document API, which keeps its comments.
 */
function withRule(text: string, rule: NewRule): string {
  const doc = parseDocument(text, { schema: 'core', uniqueKeys: true });
  if (doc.contents !== null && !isMap(doc.contents))
    throw new RuleRefusedError('rules.yaml must be a mapping (rules:, menu:, ...)');
  const rules = doc.get('rules', true);
  if (rules !== undefined && rules !== null && !isSeq(rules))
    throw new RuleRefusedError('rules: in rules.yaml must be a list');
  if (isSeq(rules) && !rules.flow && rules.items.length > 0 && rules.range) {
    const at = rules.range[1];
    const column = rules.range[0] - (text.lastIndexOf('\n', rules.range[0] - 1) + 1);
    const pad = ' '.repeat(column);
    const item = ruleText(rule)
      .trimEnd()
      .split('\n')
      .map((line, i) => (i === 0 ? `- ${line}` : line ? `  ${line}` : line));
    const lines = [...(rule.note ? [`# ${oneLine(rule.note)}`] : []), ...item];
    const block = lines.map((line) => (line ? pad + line : line)).join('\n');
    const before = text.slice(0, at);
    return `${before}${before.endsWith('\n') ? '' : '\n'}\n${block}\n${text.slice(at)}`;
  }
  const node = doc.createNode(asData(rule)) as YAMLMap;
  flowKeywords(node);
  if (rule.note) node.commentBefore = ` ${oneLine(rule.note)}`;
  if (isSeq(rules)) rules.add(node);
  else doc.set('rules', doc.createNode([node]));
  return doc.toString({ lineWidth: 0 });
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** One rule as YAML, keywords written as the sample file writes them: `{ keyword: x, match: equal }`. */
function ruleText(rule: NewRule): string {
  const doc = new Document(asData(rule));
  flowKeywords(doc.contents as YAMLMap);
  return doc.toString({ lineWidth: 0 });
}

function flowKeywords(node: YAMLMap): void {
  for (const keyword of (node.get('keywords') as YAMLSeq<YAMLMap>).items) keyword.flow = true;
}
