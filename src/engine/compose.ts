/** A step of the conversation chain: do something, or hand on to the next step. */
export type Handler<C> = (ctx: C, next: () => Promise<void>) => Promise<void> | void;

/** Folds handlers into one, in order (the shape of Koa's, Hono's and grammY's compose). */
export function compose<C>(handlers: Handler<C>[]): (ctx: C) => Promise<void> {
  return function run(ctx) {
    let last = -1;
    const dispatch = async (i: number): Promise<void> => {
      if (i <= last) throw new Error('next() called twice in one handler');
      last = i;
      const handler = handlers[i];
      if (handler) await handler(ctx, () => dispatch(i + 1));
    };
    return dispatch(0);
  };
}
