import { describe, expect, it } from 'vitest';
import { buildXml } from '../../src/wire/xml-build.ts';
import { parseXml } from '../../src/wire/xml-parse.ts';

describe('building the platform XML', () => {
  it.each([
    ['plain text', 'hello'],
    ['Chinese', '你好，世界'],
    ['markup', '<b>bold</b> & "quotes"'],
    ['a CDATA end inside', 'a ]]> b ]]>'],
    ['an empty string', ''],
  ])('carries %s through the parser unchanged', (_name, content) => {
    const xml = buildXml({ ToUserName: 'gh_0123456789ab', Content: content, CreateTime: 1 });
    expect(parseXml(xml)).toEqual({
      ToUserName: 'gh_0123456789ab',
      Content: content,
      CreateTime: '1',
    });
  });

  it('nests objects and repeats an element for each value of an array', () => {
    const xml = buildXml({ Articles: { item: [{ Title: 'A' }, { Title: 'B' }] }, Count: 2 });
    expect(xml).toBe(
      '<xml><Articles><item><Title><![CDATA[A]]></Title></item><item><Title><![CDATA[B]]></Title></item></Articles><Count>2</Count></xml>',
    );
  });

  it.each(['', '1abc', 'a b', 'x<y', 'Name>'])('refuses the element name %j', (name) => {
    expect(() => buildXml({ [name]: 'v' })).toThrow(RangeError);
  });
});
