import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file under DATA_DIR that keeps the generated development token across restarts. */
export const ADMIN_TOKEN_FILE = 'admin-token';
/** 32 random bytes: 43 characters of base64url. */
const TOKEN_BYTES = 32;
const GENERATED = /^[A-Za-z0-9_-]{43}$/;
const OWNER_ONLY = 0o600;

/** The admin API's token, and whether it was generated here (and so may be shown once). */
export interface AdminToken {
  token: string;
  generated: boolean;
}

/**
 * The token the admin API requires. A configured ADMIN_TOKEN wins. Without one, outside
 * production a random token is generated at first start and kept in DATA_DIR/admin-token
 * (mode 0600), so the API is never open, not even to a tunnel or a proxy that arrives
 * from loopback; in production the API stays off (undefined) until ADMIN_TOKEN is set.
 */
export function resolveAdminToken({
  configured,
  production,
  dataDir,
}: {
  configured: string | undefined;
  production: boolean;
  dataDir: string;
}): AdminToken | undefined {
  if (configured) return { token: configured, generated: false };
  if (production) return undefined;
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  const kept = readKept(file);
  if (kept) {
    // A copy or a checkout may have widened it: the token is the admin API's only key.
    chmodSync(file, OWNER_ONLY);
    return { token: kept, generated: true };
  }
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  // `mode` applies only to a new file; chmod covers one that held something else.
  writeFileSync(file, `${token}\n`, { mode: OWNER_ONLY });
  chmodSync(file, OWNER_ONLY);
  return { token, generated: true };
}

/** The kept token, when the file holds one this code could have written. */
function readKept(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return GENERATED.test(text) ? text : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The ready-to-use line printed once at start for a generated token (as Jupyter does). */
export function adminApiHint(url: string, token: string): string {
  return `admin API: curl -H "Authorization: Bearer ${token}" ${url}/admin/api/schedule`;
}
