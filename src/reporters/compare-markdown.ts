/** `mcpload compare --markdown`: the comparison as Markdown, ready to paste into a pull-request comment. */
import type { Comparison } from '../report/comparison.js';
import { entryCells } from './compare-text.js';

/** A table cell: no line breaks, no column breaks, no stray markup from entry names. */
function cell(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/([\\|`*_[\]<>])/g, '\\$1');
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(cell).join(' | ')} |`;
}

export function formatComparisonMarkdown(comparison: Comparison): string {
  const verdict = comparison.checks.length === 0 ? ''
    : comparison.failed ? ' — **regression**' : ' — no regression';
  const lines = [
    `### mcpload: ${cell(comparison.current.label)} vs ${cell(comparison.base.label)}${verdict}`,
    '',
    row(['Type', 'Name', 'Metric', 'Base', 'Current', 'Change', 'Noise test']),
    '|---|---|---|---:|---:|---:|---|',
    ...comparison.entries.flatMap(entryCells).map(row),
    ...entryCells(comparison.aggregated).map(row),
  ];
  if (comparison.checks.length > 0) {
    lines.push('', '**Fail-on conditions**', '');
    for (const c of comparison.checks) {
      const mark = c.outcome === 'fail' ? '❌' : c.outcome === 'pass' ? '✅' : '⏭️';
      lines.push(`- ${mark} \`${c.expr.replace(/`/g, "'")}\` on ${cell(c.type ? `${c.type} ${c.name}` : c.name)}: ${cell(c.message)}`);
    }
  }
  lines.push('', `<sub>Significance: ${cell(comparison.method)}</sub>`, '');
  return lines.join('\n');
}
