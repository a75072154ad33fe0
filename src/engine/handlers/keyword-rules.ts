import type { Handler } from '../compose.ts';
import type { TurnContext } from '../context.ts';
import { pushSpecs } from './events.ts';

/** The operator's keyword rules: `reply_all` sends every reply, `random_one` one of them. */
export const handleKeywordRules: Handler<TurnContext> = (ctx, next) => {
  if (ctx.inbound.kind !== 'text') return next();
  const rule = ctx.matchRule(ctx.inbound.text);
  if (!rule) return next();
  ctx.rule = rule.name;
  if (rule.replyMode === 'reply_all') {
    pushSpecs(ctx, rule.replies);
  } else {
    const pick = Math.floor((ctx.deps.random ?? Math.random)() * rule.replies.length);
    pushSpecs(ctx, [rule.replies[Math.min(pick, rule.replies.length - 1)]!]);
  }
  if (ctx.replies.length) return;
  ctx.rule = undefined;
  return next();
};
