import { STATES, StateId, StateRow, STATUS_OF, VERDICT_OF } from './states';

/** The table as Markdown, for the postgres-common README (a test keeps them equal). */
export function statesMarkdown(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '| state | hop | step | verdict | reason | when | hint | source |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const [id, row] of Object.entries(STATES) as Array<
    [StateId, StateRow]
  >) {
    lines.push(
      `| \`${id}\` | ${row.hop} | ${STATUS_OF[row.severity]} | ${
        VERDICT_OF[row.severity]
      } | \`${row.reason}\` | ${cell(row.when)} | ${cell(
        row.hint ?? '',
      )} | ${cell(row.source)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
