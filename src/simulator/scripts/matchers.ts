import type { CountMatch, MessageExpectation, TextMatch } from './script-schema.ts';
import type { Shown } from './timeline-items.ts';

export function matchText(match: TextMatch, text: string): boolean {
  if ('equals' in match) return text === match.equals;
  if ('contains' in match) return text.includes(match.contains);
  return new RegExp(match.matches, 'u').test(text);
}

export function matchCount(match: CountMatch, count: number): boolean {
  if (typeof match === 'number') return count === match;
  return (match.atLeast ?? 0) <= count && count <= (match.atMost ?? Number.POSITIVE_INFINITY);
}

/** Whether a message on the phone is what the script expects. */
export function matchMessage(expected: MessageExpectation, shown: Shown): boolean {
  const { text, contains, matches, articles, titles } = expected;
  if (text !== undefined || contains !== undefined || matches !== undefined) {
    if (shown.type !== 'text') return false;
    if (text !== undefined) return shown.text === text;
    if (contains !== undefined) return shown.text.includes(contains);
    return matchText({ matches: matches ?? '' }, shown.text);
  }
  if (shown.type !== 'articles') return false;
  if (articles !== undefined && !matchCount(articles, shown.articles.length)) return false;
  return (titles ?? []).every((title, i) => {
    const article = shown.articles[i];
    return article !== undefined && matchText(title, article.title);
  });
}

/** The expectation in the words of a diff: `text containing "Welcome"`. */
export function describeExpectation(expected: MessageExpectation): string {
  const { text, contains, matches, articles, titles } = expected;
  if (text !== undefined) return `text ${JSON.stringify(text)}`;
  if (contains !== undefined) return `text containing ${JSON.stringify(contains)}`;
  if (matches !== undefined) return `text matching /${matches}/`;
  const parts = [articles === undefined ? 'articles' : `${describeCount(articles)} articles`];
  if (titles) parts.push(`titles [${titles.map(describeTextMatch).join(', ')}]`);
  return parts.join(', ');
}

export function describeTextMatch(match: TextMatch): string {
  if ('equals' in match) return JSON.stringify(match.equals);
  if ('contains' in match) return `containing ${JSON.stringify(match.contains)}`;
  return `matching /${match.matches}/`;
}

function describeCount(match: CountMatch): string {
  if (typeof match === 'number') return String(match);
  const { atLeast, atMost } = match;
  if (atLeast !== undefined && atMost !== undefined) return `${atLeast} to ${atMost}`;
  return atLeast !== undefined ? `at least ${atLeast}` : `at most ${atMost}`;
}
