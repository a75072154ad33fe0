/** The broadcast tables on PostgreSQL (the SQLite ones are in src/store/migrations.ts). */
export const BROADCAST_SCHEMA = `
SELECT 1;
`;
