import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Generated tokens: 32 random bytes as base64url (43 characters). */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The standalone simulator's control token when `SIM_TOKEN` is unset: generated once,
 * kept owner-only in `dataDir/sim-token` and reused, so scripts keep working across
 * restarts. A file that holds no generated token is replaced.
 */
export function resolveSimToken(dataDir: string): string {
  const file = join(dataDir, 'sim-token');
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (TOKEN_SHAPE.test(kept)) {
      chmodSync(file, 0o600);
      return kept;
    }
  } catch {
    // no file yet: made below
  }
  const token = randomBytes(32).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}
