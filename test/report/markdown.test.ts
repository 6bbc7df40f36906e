import { describe, expect, it } from 'vitest';
import { escapeMarkdown, renderMarkdown } from '../../src/report/markdown.js';
import { demoResult } from './demo.js';

describe('escapeMarkdown', () => {
  it('keeps card masks, pipes and tags literal, one line per cell', () => {
    expect(escapeMarkdown('card 622848******4444')).toBe('card 622848\\*\\*\\*\\*\\*\\*4444');
    expect(escapeMarkdown('a | b')).toBe('a \\| b');
    expect(escapeMarkdown('<script>x</script>')).toBe('&lt;script&gt;x&lt;/script&gt;');
    expect(escapeMarkdown('two\nlines')).toBe('two lines');
    expect(escapeMarkdown('terminal-2025-09-30_10-09.csv')).toBe('terminal-2025-09-30\\_10-09.csv');
  });
});

describe('renderMarkdown on the demo', () => {
  const { result } = demoResult();
  const md = renderMarkdown(result);

  it('has the summary and one well-formed table per exception kind', () => {
    expect(md).toContain('**10 exception(s) need attention:**');
    expect(md).toContain('| dropped orders (掉单) | 2 | ¥888.00 charged to customers, missing or failed on the terminal; 1 of them a possible double charge of the customer |');
    const headings = md.split('\n').filter((l) => l.startsWith('### '));
    expect(headings).toHaveLength(7);
    // Every table row has the same number of unescaped pipes as its header.
    for (const block of md.split('\n\n').filter((b) => b.startsWith('| Time'))) {
      const lines = block.split('\n').filter(Boolean);
      const pipes = (l: string) => l.replace(/\\\|/g, '').split('|').length;
      for (const l of lines) expect(pipes(l)).toBe(pipes(lines[0]));
    }
  });

  it('lists informational kinds only with --verbose', () => {
    expect(md).not.toContain('Not yet due for settlement');
    expect(renderMarkdown(result, { verbose: true })).toContain('### Not yet due for settlement — 1');
  });
});
