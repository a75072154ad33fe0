import type { Broadcast } from '../broadcast/broadcast-types.ts';
import type { AccountEvent } from './event-hub.ts';

/**
 * PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; this leaves room for the
 * envelope's own bytes and multi-byte characters counted once more.
 */
export const MAX_PAYLOAD_BYTES = 7_900;

/** What travels between instances: the event, and which hub sent it (its own is skipped). */
interface Envelope {
  origin: string;
  event: AccountEvent;
}

/**
 * The NOTIFY payload of an event: the event itself as JSON, so receivers need no second
 * round trip. A broadcast's reply (its articles, which can run to kilobytes and which no
 * live page shows) is left out when the whole would not fit, and then its lists too: what
 * the pages show (status, counts) always fits.
 */
export function encodeEvent(origin: string, event: AccountEvent): string {
  const { broadcast } = event;
  const candidates: Broadcast[] = [
    broadcast,
    { ...broadcast, reply: undefined },
    {
      ...broadcast,
      reply: undefined,
      entryIds: [],
      skipReasons: undefined,
      channelErrors: undefined,
      reason: broadcast.reason?.slice(0, 500),
    },
  ];
  let payload = '';
  for (const candidate of candidates) {
    payload = JSON.stringify({ origin, event: { ...event, broadcast: candidate } });
    if (Buffer.byteLength(payload) <= MAX_PAYLOAD_BYTES) break;
  }
  return payload;
}

/** The envelope of a payload, its dates as dates again; undefined when it is not one of ours. */
export function decodeEvent(payload: string): Envelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const envelope = parsed as Partial<Envelope> | null;
  const broadcast = envelope?.event?.broadcast;
  if (
    typeof envelope?.origin !== 'string' ||
    envelope.event?.type !== 'broadcast' ||
    typeof broadcast?.id !== 'number'
  ) {
    return undefined;
  }
  return {
    origin: envelope.origin,
    event: { type: 'broadcast', broadcast: reviveDates(broadcast) },
  };
}

/** JSON carried the broadcast's dates as ISO strings. */
function reviveDates(broadcast: Broadcast): Broadcast {
  const date = (value: Date | undefined) => (value === undefined ? undefined : new Date(value));
  return {
    ...broadcast,
    createdAt: new Date(broadcast.createdAt),
    tickAt: date(broadcast.tickAt),
    finishedAt: date(broadcast.finishedAt),
    channelErrors: broadcast.channelErrors
      ? Object.fromEntries(
          Object.entries(broadcast.channelErrors).map(([channel, report]) => [
            channel,
            { ...report, at: new Date(report.at) },
          ]),
        )
      : undefined,
  };
}
