import type { Handler } from '../compose.ts';
import type { TurnContext } from '../context.ts';
import { pushSpecs } from './events.ts';

/** The end of the chain: nothing else answered, so the default reply, recorded as unanswered. */
export const handleDefault: Handler<TurnContext> = (ctx) => {
  if (ctx.inbound.kind !== 'text') return;
  ctx.answered = false;
  pushSpecs(ctx, ctx.rules.defaultReply);
};
