import type { Logger } from '../log/logger.ts';
import { ContentError } from './content-error.ts';
import { displayPath, parseYaml, readContentFile } from './read-content.ts';
import { DEFAULT_RULES, validateRules, type Rules } from './rules.ts';

const MAX_RULES_BYTES = 1024 * 1024;

/**
 * Reads `rules.yaml`. Problems are logged with the file, the rule and the line; a file
 * that cannot be read or parsed at all (missing, too large, binary, not UTF-8, not YAML,
 * an alias bomb) keeps `previous`: the defaults at start, the rules in use on reload.
 * Never throws: a rules file must not stop the service.
 */
export async function loadRules(
  file: string,
  log: Logger,
  previous: Rules = DEFAULT_RULES,
): Promise<Rules> {
  const shown = displayPath(file);
  const keeping =
    previous === DEFAULT_RULES ? 'using the built-in replies' : 'keeping the previous rules';
  let parsed: ReturnType<typeof parseYaml>;
  try {
    parsed = parseYaml(file, await readContentFile(file, MAX_RULES_BYTES));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      error instanceof ContentError
        ? { line: error.line, reason: error.reason }
        : { reason: code === 'ENOENT' ? 'file not found' : String(error) };
    log.warn({ file: shown, ...problem }, `rules file not used; ${keeping}`);
    return previous;
  }
  const { rules, problems } = validateRules(parsed.data, parsed.lineOf);
  for (const problem of problems) log.warn({ file: shown, ...problem }, 'rules file: part skipped');
  log.info(
    { file: shown, rules: rules.rules.length, menuButtons: rules.menu.length },
    'rules loaded',
  );
  return rules;
}
