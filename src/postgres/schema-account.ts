/** The account tables on PostgreSQL (the SQLite ones are in src/store/migrations.ts). */
export const ACCOUNT_SCHEMA = `
SELECT 1;
`;
