/**
 * How long `vi.waitFor` waits for what happens soon: long enough for a machine busy with
 * other work (its default is one second); a passing wait returns as soon as it holds.
 */
export const WAIT = { timeout: 10_000 };
