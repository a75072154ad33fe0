/**
 * A batch's key names its broadcast, the set of its entries (when not all of them), the
 * claiming process and a counter: `b<broadcast id>[s<entry set>]-<owner>-<n>`. It is
 * written on every delivery of the batch, so it is short.
 */
export function batchKey(
  broadcastId: number,
  entrySet: number,
  owner: string,
  counter: number,
): string {
  const set = entrySet ? `s${entrySet}` : '';
  return `b${broadcastId}${set}-${owner}-${counter.toString(36)}`;
}

const KEY = /^b(\d+)(?:s(\d+))?-/;

/** The broadcast a batch key belongs to. */
export function batchBroadcast(key: string): number | undefined {
  const id = KEY.exec(key)?.[1];
  return id === undefined ? undefined : Number(id);
}

/** The set of the broadcast's entries a batch carries: 0 for all of them. */
export function batchEntrySet(key: string): number {
  return Number(KEY.exec(key)?.[2] ?? 0);
}
