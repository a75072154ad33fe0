/**
 * The development account both sides use when nothing is configured: public values in
 * the platform's shapes (an AppID of `wx` and 16 hex digits, a 32-hex secret, a token,
 * a 43-character EncodingAESKey), so the account's API client and safe mode work against
 * the simulated platform from the first start. Public, hence never a real account's, and
 * never used in production.
 */
export const DEV_ACCOUNT = {
  appId: 'wx5157da7a0c0de000',
  appSecret: '0123456789abcdef0123456789abcdef',
  token: 'oasimdevtoken',
  aesKey: 'oasimDevelopmentAesKeyForTheSimulatorOnly12',
} as const;
