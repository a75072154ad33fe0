import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Why an XML body was refused: a declaration we never expand, or XML that does not parse. */
export class XmlRefusedError extends Error {
  constructor(
    readonly reason: 'declaration' | 'malformed',
    message: string,
  ) {
    super(message);
    this.name = 'XmlRefusedError';
  }
}

/** The fields of a callback: the root `<xml>` element's leaf children, as strings. */
export type XmlFields = Record<string, string | undefined>;

const CDATA = '#cdata';

/**
 * Entity processing off (fast-xml-parser expands entities of an internal DOCTYPE by
 * default), and every value a string: its default value parsing turns `00123` into 123
 * and a 64-bit MsgId into a rounded number. CDATA is kept apart so that only plain text
 * gets the five predefined entities decoded.
 */
const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: CDATA,
});

/**
 * Parses a callback body into the root element's fields. Refuses any `<!DOCTYPE`,
 * `<!ENTITY` or other declaration before the parser sees it (no XXE, no billion laughs),
 * and XML that does not validate. Nested elements (a mass-send report's `ResultList`)
 * and repeated ones are left out: no field we read has either shape.
 */
export function parseXml(text: string): XmlFields {
  return readFlat(text) ?? parseFull(text);
}

/** The full path alone: refuse declarations, validate, parse. Exported for the tests. */
export function parseFull(text: string): XmlFields {
  refuseDeclarations(text);
  const valid = XMLValidator.validate(text);
  if (valid !== true)
    throw new XmlRefusedError(
      'malformed',
      `malformed XML: ${valid.err.msg} (line ${valid.err.line})`,
    );
  const document: unknown = parser.parse(text);
  const root = (document as Record<string, unknown> | undefined)?.xml;
  if (typeof root !== 'object' || root === null || Array.isArray(root))
    throw new XmlRefusedError('malformed', 'XML root must be one <xml> element');
  const fields: XmlFields = Object.create(null) as XmlFields;
  for (const [name, value] of Object.entries(root as Record<string, unknown>)) {
    if (Array.isArray(value)) continue; // a repeated element: no field we read is one
    const text = leafText(value);
    if (text !== undefined) fields[name] = text;
  }
  return fields;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The shape the platform sends, read in one pass: `<xml>` holding only leaf elements, each
 * one run of CDATA sections or plain text without markup or entities. Anything else
 * (a prolog, attributes, nesting, comments, entities, declarations, a repeated element)
 * gives undefined and takes the full path, which validates, refuses and parses. The
 * fields are what the full path gives for the same text (tests hold the two together);
 * this path exists because a callback's XML is read on every request, twice in safe mode.
 */
export function readFlat(text: string): XmlFields | undefined {
  let at = skipSpace(text, 0);
  if (!text.startsWith('<xml>', at)) return undefined;
  at += 5;
  const fields: XmlFields = Object.create(null) as XmlFields;
  for (;;) {
    at = skipSpace(text, at);
    if (text.startsWith('</xml>', at))
      return skipSpace(text, at + 6) === text.length ? fields : undefined;
    if (text[at] !== '<') return undefined;
    const close = text.indexOf('>', at);
    const name = close === -1 ? '' : text.slice(at + 1, close);
    if (!NAME.test(name) || name in fields) return undefined;
    at = close + 1;
    let value = '';
    if (text.startsWith('<![CDATA[', at)) {
      while (text.startsWith('<![CDATA[', at)) {
        const end = text.indexOf(']]>', at + 9);
        if (end === -1) return undefined;
        value += text.slice(at + 9, end);
        at = end + 3;
      }
    } else {
      const end = text.indexOf('<', at);
      if (end === -1) return undefined;
      value = text.slice(at, end);
      if (value.includes('&') || value.includes(']]>')) return undefined;
      value = value.trim();
      at = end;
    }
    const closing = `</${name}>`;
    if (!text.startsWith(closing, at)) return undefined;
    at += closing.length;
    fields[name] = value;
  }
}

function skipSpace(text: string, at: number): number {
  while (
    at < text.length &&
    (text[at] === ' ' || text[at] === '\n' || text[at] === '\r' || text[at] === '\t')
  )
    at++;
  return at;
}

/** Scans `<!` constructs in one pass: CDATA sections and comments are skipped, anything else refused. */
function refuseDeclarations(text: string): void {
  let at = text.indexOf('<!');
  while (at !== -1) {
    let end: number;
    if (text.startsWith('<![CDATA[', at)) end = text.indexOf(']]>', at + 9);
    else if (text.startsWith('<!--', at)) end = text.indexOf('-->', at + 4);
    else
      throw new XmlRefusedError(
        'declaration',
        'XML with a DOCTYPE or entity declaration is refused',
      );
    if (end === -1)
      throw new XmlRefusedError('malformed', 'malformed XML: unterminated <! section');
    at = text.indexOf('<!', end + 3);
  }
}

function leafText(value: unknown): string | undefined {
  if (typeof value === 'string') return decodePredefined(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (!keys.every((key) => key === CDATA || key === '#text')) return undefined;
  const { [CDATA]: cdata, '#text': plain } = value as Record<string, unknown>;
  const parts = [
    ...(typeof plain === 'string' ? [decodePredefined(plain)] : []),
    ...(Array.isArray(cdata) ? cdata : [cdata]).filter((c): c is string => typeof c === 'string'),
  ];
  return parts.join('');
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML's five predefined entities and character references: fixed, so nothing can expand. */
function decodePredefined(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    /&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g,
    (whole, name: string) => {
      if (name[0] !== '#') return PREDEFINED[name]!;
      const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    },
  );
}
