/**
 * The distinct values of a column an index leads with (under `where`), one index probe
 * each (a loose index scan), not a scan of every row. `where` must hold no `$` parameters
 * the caller does not pass.
 */
export const distinctOf = (column: string, table: string, where = 'true') => `
  WITH RECURSIVE v AS (
    (SELECT ${column} AS value FROM ${table} WHERE ${where} ORDER BY ${column} LIMIT 1)
    UNION ALL
    SELECT (SELECT ${column} FROM ${table} WHERE ${where} AND ${column} > v.value
            ORDER BY ${column} LIMIT 1)
    FROM v WHERE v.value IS NOT NULL)
  SELECT value FROM v WHERE value IS NOT NULL`;
