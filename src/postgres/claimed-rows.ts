/** A delivery as the dispatcher claims it, with what it needs of its subscriber. */
export const CLAIMED_COLUMNS = `d.id, d.broadcast_id AS "broadcastId", d.entry_set AS "entrySet",
  d.user_id AS "userId", d.attempts, d.held, s.state, s.time_zone AS "timeZone",
  s.quiet_start AS "quietStart", s.quiet_end AS "quietEnd", s.failures`;
export const CLAIMED_FROM = `FROM deliveries d
  LEFT JOIN subscribers s ON s.channel = d.channel AND s.user_id = d.user_id`;
