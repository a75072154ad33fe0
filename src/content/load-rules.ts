import { readFile } from 'node:fs/promises';
import { isNode, parseDocument, type Document, LineCounter } from 'yaml';
import type { Logger } from '../log/logger.ts';
import { DEFAULT_RULES, validateRules, type Rules } from './rules.ts';

const MAX_RULES_BYTES = 1024 * 1024;

/**
 * Reads `rules.yaml`. Problems are logged with the file, the rule and the line; a file
 * that cannot be read or parsed at all keeps `previous` (the defaults at start).
 */
export async function loadRules(
  file: string,
  log: Logger,
  previous: Rules = DEFAULT_RULES,
): Promise<Rules> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    log.warn(
      { file, reason: code === 'ENOENT' ? 'file not found' : String(error) },
      'rules file not read; using the built-in replies',
    );
    return previous;
  }
  if (Buffer.byteLength(source) > MAX_RULES_BYTES) {
    log.warn({ file, reason: 'file is larger than 1 MiB' }, 'rules file skipped');
    return previous;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, {
    schema: 'core',
    lineCounter,
    prettyErrors: true,
    uniqueKeys: true,
  });
  const yamlError = doc.errors[0];
  if (yamlError) {
    log.warn(
      { file, line: yamlError.linePos?.[0].line, reason: yamlError.message.split('\n')[0] },
      'rules file is not valid YAML; keeping the previous rules',
    );
    return previous;
  }
  const { rules, problems } = validateRules(doc.toJS({ maxAliasCount: 10 }), (path) =>
    lineOfPath(doc, lineCounter, path),
  );
  for (const problem of problems) log.warn({ file, ...problem }, 'rules file: part skipped');
  log.info({ file, rules: rules.rules.length, menuButtons: rules.menu.length }, 'rules loaded');
  return rules;
}

function lineOfPath(
  doc: Document,
  lineCounter: LineCounter,
  path: (string | number)[],
): number | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}
