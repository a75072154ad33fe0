import { createHash } from 'node:crypto';

/** The platform's OpenID shape: 28 characters of [A-Za-z0-9_-] starting with `o`. */
export const OPENID_PATTERN = /^o[A-Za-z0-9_-]{27}$/;

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The `index`th OpenID of a population: the same seed always gives the same OpenIDs. */
export function seededOpenid(seed: string, index: number): string {
  return `o${digest(`oasim-population:${seed}:${index}`).toString('base64url').slice(0, 27)}`;
}

/** A fresh user's OpenID, random like the platform's. */
export function randomOpenid(): string {
  return seededOpenid(`${Date.now()}:${Math.random()}`, 0);
}

const GIVEN = [
  'Ana',
  'Bo',
  'Chen',
  'Dara',
  'Eli',
  'Fang',
  'Gus',
  'Hui',
  'Ivy',
  'Jun',
  'Kai',
  'Lin',
];
const FAMILY = ['Li', 'Wang', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou'];
const LANGUAGES = ['zh_CN', 'zh_CN', 'zh_CN', 'zh_TW', 'en'];

/** A population member's nickname and language, drawn from the seed too. */
export function seededProfile(seed: string, index: number): { nickname: string; language: string } {
  const bytes = digest(`oasim-profile:${seed}:${index}`);
  return {
    nickname: `${GIVEN[bytes[0]! % GIVEN.length]} ${FAMILY[bytes[1]! % FAMILY.length]} ${index + 1}`,
    language: LANGUAGES[bytes[2]! % LANGUAGES.length]!,
  };
}
