/**
 * A value of an XML element: text (a CDATA section), a number (bare), an object (nested
 * elements) or an array (the element repeated, once per value).
 */
export type XmlValue = string | number | { [name: string]: XmlValue } | XmlValue[];

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A CDATA section; `]]>` inside is split across two sections, the only way to carry it. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function element(name: string, value: XmlValue): string {
  if (!NAME.test(name)) throw new RangeError(`"${name.slice(0, 40)}" is not an XML element name`);
  if (Array.isArray(value)) return value.map((v) => element(name, v)).join('');
  if (typeof value === 'number') return `<${name}>${value}</${name}>`;
  if (typeof value === 'string') return `<${name}>${cdata(value)}</${name}>`;
  return `<${name}>${children(value)}</${name}>`;
}

function children(fields: Record<string, XmlValue>): string {
  return Object.entries(fields)
    .map(([name, value]) => element(name, value))
    .join('');
}

/** The platform's message XML: one `<xml>` root holding the fields in the order given. */
export function buildXml(fields: Record<string, XmlValue>): string {
  return `<xml>${children(fields)}</xml>`;
}
