/**
 * A batch's key names its broadcast, the claiming process and a counter:
 * `b<broadcast id>-<owner>-<n>`. It is written on every delivery of the batch, so it is short.
 */
export function batchKey(broadcastId: number, owner: string, counter: number): string {
  return `b${broadcastId}-${owner}-${counter.toString(36)}`;
}

/** The broadcast a batch key belongs to. */
export function batchBroadcast(key: string): number | undefined {
  const id = /^b(\d+)-/.exec(key)?.[1];
  return id === undefined ? undefined : Number(id);
}
