import { existsSync } from 'node:fs';

/** Loads `.env` into process.env when present; variables already set win (Node's rule). */
export function loadEnvFile(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
