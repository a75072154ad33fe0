import type { Rules } from '../content/rules.ts';
import { normalizeText } from '../text/normalize.ts';

/** A topic name as given by a user (its name, label or an alias) to the topic's name. */
export function resolveTopic(input: string, known: string[], rules: Rules): string | undefined {
  const wanted = normalizeText(input);
  return known.find((name) => {
    const info = rules.topics.get(name);
    return (
      name === wanted ||
      normalizeText(info?.label ?? '') === wanted ||
      info?.aliases.some((alias) => normalizeText(alias) === wanted)
    );
  });
}

/** A topic for people: `exchanges (交流)`. */
export function topicLabel(name: string, rules: Rules): string {
  const label = rules.topics.get(name)?.label;
  return label ? `${name} (${label})` : name;
}
