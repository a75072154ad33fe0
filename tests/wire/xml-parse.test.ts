import { describe, expect, it } from 'vitest';
import {
  MAX_XML_ATTRIBUTES,
  MAX_XML_DEPTH,
  MAX_XML_NAME,
  parseFull,
  parseXml,
  readFlat,
  XmlRefusedError,
} from '../../src/wire/xml-parse.ts';

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<xml><Content>&lol2;</Content></xml>`;
const XXE = `<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>`;
const BIG_MSG_ID = '24567890123456789012';

const refusal = (xml: string) => {
  try {
    parseXml(xml);
  } catch (error) {
    if (error instanceof XmlRefusedError) return error.reason;
    throw error;
  }
  return 'accepted';
};

describe('parseXml', () => {
  it('reads every field as a string, keeping leading zeros and 64-bit ids exact', () => {
    const fields = parseXml(
      `<xml><CreateTime>00123</CreateTime><MsgId>${BIG_MSG_ID}</MsgId><Content><![CDATA[1e3]]></Content></xml>`,
    );
    expect(fields).toEqual({ CreateTime: '00123', MsgId: BIG_MSG_ID, Content: '1e3' });
  });

  it('keeps CDATA literally and decodes only the predefined entities of plain text', () => {
    const fields = parseXml(
      '<xml><A><![CDATA[a &amp; <b>]]></A><B>x &lt; y &#20320;</B><C><![CDATA[one]]]]><![CDATA[>two]]></C></xml>',
    );
    expect(fields).toEqual({ A: 'a &amp; <b>', B: 'x < y 你', C: 'one]]>two' });
  });

  it('refuses a DOCTYPE with entities (billion laughs) and external entities (XXE)', () => {
    expect(refusal(BILLION_LAUGHS)).toBe('declaration');
    expect(refusal(XXE)).toBe('declaration');
    expect(refusal('<xml><!ENTITY x "y"></xml>')).toBe('declaration');
  });

  it('accepts DOCTYPE-like text inside CDATA and comments', () => {
    expect(
      parseXml('<xml><!-- note --><Content><![CDATA[<!DOCTYPE html>]]></Content></xml>'),
    ).toEqual({
      Content: '<!DOCTYPE html>',
    });
  });

  it.each([
    ['unclosed tags', '<xml><Content>hi</xml>'],
    ['text after the root', '<xml><A>1</A></xml>junk'],
    ['no <xml> root', '<root><A>1</A></root>'],
    ['an unterminated CDATA section', '<xml><A><![CDATA[hi</A></xml>'],
    ['plain text', 'hello'],
  ])('refuses malformed XML: %s', (_what, xml) => {
    expect(refusal(xml)).toBe('malformed');
  });

  it.each([
    [
      'a platform message',
      '<xml><ToUserName><![CDATA[gh_1]]></ToUserName><CreateTime>1714036504</CreateTime><Content><![CDATA[ hi ]]></Content></xml>',
    ],
    [
      'whitespace between elements and around text',
      '\n<xml>\n  <A> 1 </A>\r\n\t<B><![CDATA[]]></B><C></C>\n</xml>\n',
    ],
    ['split CDATA sections', '<xml><C><![CDATA[one]]]]><![CDATA[>two]]></C></xml>'],
    ['markup inside CDATA', '<xml><C><![CDATA[<b>&amp; <!DOCTYPE x>]]></C></xml>'],
    ['Chinese text', '<xml><Content><![CDATA[你好，世界]]></Content><Label>北京</Label></xml>'],
  ])('reads %s the same on the fast path as on the full path', (_what, xml) => {
    const fast = readFlat(xml);
    expect(fast).toBeDefined();
    expect({ ...fast }).toEqual({ ...parseFull(xml) });
  });

  it.each([
    ['a prolog', '<?xml version="1.0"?><xml><A>1</A></xml>'],
    ['an entity', '<xml><A>a &lt; b</A></xml>'],
    ['nesting', '<xml><A><B>1</B></A></xml>'],
    ['attributes', '<xml><A x="1">1</A></xml>'],
    ['a repeated element', '<xml><A>1</A><A>2</A></xml>'],
    ['a comment', '<xml><!-- c --><A>1</A></xml>'],
    ['a DOCTYPE', '<!DOCTYPE xml><xml><A>1</A></xml>'],
    ['a mismatched close', '<xml><A>1</B></xml>'],
    ['text after the root', '<xml><A>1</A></xml>junk'],
  ])('leaves XML with %s to the full path', (_what, xml) => {
    expect(readFlat(xml)).toBeUndefined();
  });

  it.each([
    ['__proto__ as a leaf', '<xml><__proto__>x</__proto__></xml>'],
    ['__proto__ holding elements', '<xml><__proto__><polluted>1</polluted></__proto__></xml>'],
    ['a repeated __proto__', '<xml><__proto__>x</__proto__><__proto__>y</__proto__></xml>'],
    [
      'constructor holding elements',
      '<xml><constructor><prototype>1</prototype></constructor></xml>',
    ],
    ['prototype', '<xml><A>1</A><prototype>x</prototype></xml>'],
    ['a name starting __', '<xml><__defineGetter__>x</__defineGetter__></xml>'],
    ['a reserved name as the root', '<__proto__><A>1</A></__proto__>'],
    [
      'a reserved name after a prolog',
      '<?xml version="1.0"?><xml><constructor>1</constructor></xml>',
    ],
  ])('refuses prototype-ish element names: %s', (_what, xml) => {
    expect(refusal(xml)).toBe('structure');
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  const nested = (depth: number) => `<xml>${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</xml>`;
  const attributes = (count: number) =>
    `<xml><A ${Array.from({ length: count }, (_, i) => `x${i}="1"`).join(' ')}>1</A></xml>`;
  it.each([
    ['10,000 levels of nesting', nested(10_000)],
    ['one level past the bound', nested(MAX_XML_DEPTH)],
    ['self-closing siblings deep inside', `<xml>${'<a>'.repeat(20)}<b/>${'</a>'.repeat(20)}</xml>`],
    ['thousands of attributes', attributes(5_000)],
    ['one attribute past the bound', attributes(MAX_XML_ATTRIBUTES + 1)],
    ['a very long name', `<xml><${'a'.repeat(30_000)}>1</${'a'.repeat(30_000)}></xml>`],
    [
      'a name one past the bound',
      `<xml><${'a'.repeat(MAX_XML_NAME + 1)}>1</${'a'.repeat(MAX_XML_NAME + 1)}></xml>`,
    ],
  ])('refuses XML past its bounds: %s', (_what, xml) => {
    expect(refusal(xml)).toBe('structure');
  });

  it('reads the deepest shape the platform sends, attributes and all', () => {
    const report = `<xml><MsgType>event</MsgType><CopyrightCheckResult><ResultList><item><ArticleIdx>1</ArticleIdx></item></ResultList></CopyrightCheckResult><A ${Array.from({ length: MAX_XML_ATTRIBUTES }, (_, i) => `x${i}="1>2"`).join(' ')}>1</A></xml>`;
    expect(parseXml(report)).toEqual({ MsgType: 'event', A: '1' });
    expect(parseXml(nested(MAX_XML_DEPTH - 1))).toEqual({});
  });

  it.each([
    ['an unterminated CDATA section', '<xml><A><![CDATA[x</A></xml>'],
    ['an unterminated comment', '<xml><!-- x <A>1</A></xml>'],
    ['an unterminated prolog', '<?xml version="1.0"<xml></xml>'],
    ['an unterminated tag', '<xml><A x="1>'],
    ['CDATA outside the root', '<![CDATA[<xml><A>1</A></xml>]]>'],
  ])('refuses CDATA and comment tricks as malformed: %s', (_what, xml) => {
    expect(refusal(xml)).toBe('malformed');
  });
});
