// qrcode-terminal ships no types; this is the one call the login QR needs.
declare module 'qrcode-terminal' {
  const qrcode: {
    generate(input: string, options: { small?: boolean }, done: (art: string) => void): void;
  };
  export default qrcode;
}
