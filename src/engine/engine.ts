import { DEFAULT_RULES, type Rules } from '../content/rules.ts';
import type { ConversationStore } from '../store/conversations.ts';
import { compose } from './compose.ts';
import type { EngineDeps, TurnContext } from './context.ts';
import { handleArchiveSearch } from './handlers/archive-search.ts';
import { handleCommands } from './handlers/commands.ts';
import { handleDefault } from './handlers/default-reply.ts';
import { handleEvent } from './handlers/events.ts';
import { handleKeywordRules } from './handlers/keyword-rules.ts';
import { compileRules, type RuleMatcher } from './keyword-match.ts';
import { fitReply } from './reply-limits.ts';
import type { Inbound, Reply } from './types.ts';

export interface Engine {
  /** Answers one inbound message or event; an empty list means no reply. */
  handle(inbound: Inbound): Promise<Reply[]>;
  /** Swaps in new reply rules (after the rules file changed); matchers are compiled here, once. */
  setRules(rules: Rules): void;
  rules(): Rules;
}

const chain = compose<TurnContext>([
  handleEvent,
  handleCommands,
  handleKeywordRules,
  handleArchiveSearch,
  handleDefault,
]);

/** The conversation engine: events -> commands -> keyword rules -> archive search -> default. */
export function createEngine(
  deps: EngineDeps & { conversations: ConversationStore },
  initialRules: Rules = DEFAULT_RULES,
): Engine {
  let rules = initialRules;
  let matchRule: RuleMatcher = compileRules(rules.rules);
  // The rules declare the topics; the library admits only those on entries.
  deps.library.declareTopics?.(rules.topics.keys());
  return {
    async handle(inbound) {
      const now = deps.now?.() ?? inbound.time;
      const ctx: TurnContext = {
        inbound,
        now,
        replies: [],
        answered: true,
        deps,
        rules,
        matchRule,
      };
      await chain(ctx);
      const replies = ctx.replies.map(fitReply);
      await deps.conversations.record(inbound, replies, ctx.answered, ctx.rule);
      return replies;
    },
    setRules(next) {
      matchRule = compileRules(next.rules);
      rules = next;
      deps.library.declareTopics?.(rules.topics.keys());
    },
    rules: () => rules,
  };
}
