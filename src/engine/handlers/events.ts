import { resolveReply } from '../reply-specs.ts';
import type { Handler } from '../compose.ts';
import type { TurnContext } from '../context.ts';
import type { ReplySpec, MenuButton } from '../../content/rules.ts';

/** Follow, unfollow and menu clicks; other events get no reply. Messages pass on. */
export const handleEvent: Handler<TurnContext> = async (ctx, next) => {
  const { inbound, deps, rules } = ctx;
  if (inbound.kind !== 'event') return next();
  switch (inbound.event) {
    case 'follow':
      await deps.subscribers.save(inbound.channel, inbound.user, { state: 'active' }, inbound.time);
      pushSpecs(ctx, rules.followReply);
      return undefined;
    case 'unfollow':
      await deps.subscribers.save(
        inbound.channel,
        inbound.user,
        { state: 'unsubscribed' },
        inbound.time,
      );
      return undefined;
    case 'click': {
      const specs = inbound.key ? findClick(rules.menu, inbound.key) : undefined;
      if (specs) {
        pushSpecs(ctx, specs);
        return undefined;
      }
      // A key the menu does not have: a menu published before rules.yaml changed, or a
      // forged event. The user still gets an answer; the operator a line to act on.
      deps.log?.warn(
        { channel: inbound.channel, key: inbound.key?.slice(0, 128) ?? null },
        'menu click with a key no menu button has; answered with the default reply',
      );
      ctx.answered = false;
      pushSpecs(ctx, rules.defaultReply);
      return undefined;
    }
    default:
      return undefined;
  }
};

export function pushSpecs(ctx: TurnContext, specs: ReplySpec[]): void {
  for (const spec of specs) {
    const reply = resolveReply(spec, ctx.deps.library, ctx.deps.publicUrl, ctx.now);
    if (reply) ctx.replies.push(reply);
  }
}

function findClick(buttons: MenuButton[], key: string): ReplySpec[] | undefined {
  for (const button of buttons) {
    if ('click' in button && button.click === key) return button.replies;
    if ('subButtons' in button) {
      const found = findClick(button.subButtons, key);
      if (found) return found;
    }
  }
  return undefined;
}
