/**
 * Folds text for matching: NFKC turns full-width forms (ＡＢＣ, １２３, full-width space)
 * into their ASCII equivalents, then case is folded and runs of white space collapse.
 */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

const HAN = /\p{Script=Han}/u;

/** True when the string contains at least one Han (Chinese) character. */
export function hasHan(text: string): boolean {
  return HAN.test(text);
}
