import { describe, expect, it } from 'vitest';
import { menuPreview } from '../../src/console/menu-preview.ts';

describe('the console’s menu preview', () => {
  it('opens a view button’s page in a new tab that cannot reach back, as the phone page does', () => {
    const page = menuPreview(
      [
        { name: '官网 Site', view: 'https://example.org/a?b=1&c=2' },
        { name: 'More', subButtons: [{ name: 'Guide', view: 'https://example.org/guide' }] },
      ],
      '/admin/rules/menu/reply',
      '外联 <Office>',
    ).text;
    expect(page).toContain('<div class="phone-header">外联 &lt;Office&gt;</div>');
    const links = page.match(/<a\b[^>]*>/g) ?? [];
    expect(links).toHaveLength(2);
    for (const link of links) {
      expect(link).toContain('target="_blank"');
      expect(link).toContain('rel="noopener noreferrer"');
    }
    expect(links[0]).toContain('href="https://example.org/a?b=1&amp;c=2"');
  });
});
