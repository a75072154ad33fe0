/** The search tables on PostgreSQL (the SQLite ones are in src/store/migrations.ts). */
export const SEARCH_SCHEMA = `
SELECT 1;
`;
