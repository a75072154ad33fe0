/**
 * SQL condition on `broadcasts`: those the platform's quotas count, sent or sending. One
 * cancelled before anything went out gives its quota back.
 */
export const COUNTED = `kind IN ('scheduled', 'manual') AND (status IN ('sending', 'done') OR sent > 0)`;
