import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Why an XML body was refused: a declaration we never expand, a shape past the bounds
 * below (depth, names, attributes), or XML that does not parse.
 */
export class XmlRefusedError extends Error {
  constructor(
    readonly reason: 'declaration' | 'structure' | 'malformed',
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

/** The full path alone: refuse declarations and odd shapes, validate, parse. Exported for the tests. */
export function parseFull(text: string): XmlFields {
  checkMarkup(text);
  let document: unknown;
  try {
    const valid = XMLValidator.validate(text);
    if (valid !== true)
      throw new XmlRefusedError(
        'malformed',
        `malformed XML: ${valid.err.msg} (line ${valid.err.line})`,
      );
    document = parser.parse(text);
  } catch (error) {
    // Whatever else the parser throws on, it throws on this text: the sender's fault.
    if (error instanceof XmlRefusedError) throw error;
    throw new XmlRefusedError('malformed', 'malformed XML: the parser refused it');
  }
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

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** The deepest nesting the platform sends is 4 (a mass-send report's copyright check). */
export const MAX_XML_DEPTH = 8;
export const MAX_XML_NAME = 64;
export const MAX_XML_ATTRIBUTES = 8;
/**
 * Names that would reach an object's prototype were they ever used as keys; the platform
 * sends none of them, so they are refused rather than trusted to every reader's care.
 */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
const isReserved = (name: string) => RESERVED_NAMES.has(name) || name.startsWith('__');

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
    if (!NAME.test(name) || isReserved(name) || name in fields) return undefined;
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

/**
 * Scans the markup in one pass before any parser sees it: CDATA sections, comments and
 * the prolog are skipped; any other `<!` (DOCTYPE, ENTITY) is refused; every element name
 * must be short and not prototype-ish, nesting at most MAX_XML_DEPTH deep, attributes at
 * most MAX_XML_ATTRIBUTES an element. The bounds keep the parser's recursion and work
 * small whatever a sender makes of 64 KiB.
 */
function checkMarkup(text: string): void {
  let depth = 0;
  for (let at = text.indexOf('<'); at !== -1; at = text.indexOf('<', at)) {
    const skip = SKIPPED.find(([open]) => text.startsWith(open, at));
    if (skip) {
      const end = text.indexOf(skip[1], at + skip[0].length);
      if (end === -1)
        throw new XmlRefusedError('malformed', `malformed XML: unterminated ${skip[0]} section`);
      at = end + skip[1].length;
      continue;
    }
    if (text.startsWith('<!', at))
      throw new XmlRefusedError(
        'declaration',
        'XML with a DOCTYPE or entity declaration is refused',
      );
    const closing = text[at + 1] === '/';
    const end = tagEnd(text, at);
    const tag = text.slice(at + (closing ? 2 : 1), end);
    const name = /^[^\s/>]*/.exec(tag)![0];
    if (name.length > MAX_XML_NAME)
      throw refusedShape(`an element name is longer than ${MAX_XML_NAME} characters`);
    if (isReserved(name)) throw refusedShape(`the element name ${name} is not allowed`);
    at = end + 1;
    if (closing) {
      depth--;
      continue;
    }
    if (attributeCount(tag) > MAX_XML_ATTRIBUTES)
      throw refusedShape(`an element has more than ${MAX_XML_ATTRIBUTES} attributes`);
    if (!tag.endsWith('/') && ++depth > MAX_XML_DEPTH)
      throw refusedShape(`elements are nested more than ${MAX_XML_DEPTH} deep`);
  }
}

const SKIPPED: [open: string, close: string][] = [
  ['<![CDATA[', ']]>'],
  ['<!--', '-->'],
  ['<?', '?>'],
];

const refusedShape = (what: string) => new XmlRefusedError('structure', `XML refused: ${what}`);

/** The `>` that ends the tag opened at `at`, outside quoted attribute values. */
function tagEnd(text: string, at: number): number {
  let quote: string | undefined;
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  throw new XmlRefusedError('malformed', 'malformed XML: unterminated tag');
}

function attributeCount(tag: string): number {
  let count = 0;
  let quote: string | undefined;
  for (const c of tag) {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '=') count++;
  }
  return count;
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
