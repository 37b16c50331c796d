/**
 * A unified diff (`---`/`+++` headers, `-`/`+`/space lines, one hunk per group of changes with
 * up to `context` unchanged lines around it) of two versions of one file, for a dry run and a
 * pull request's description. Empty when nothing changed; a deleted file when `after` is
 * undefined.
 *
 * @public
 */
export function fileDiff(
  path: string,
  before: string,
  after: string | undefined,
  context = 2,
): string {
  if (after === before) return '';
  const a = before.split('\n');
  const b = after === undefined ? [] : after.split('\n');
  if (a[a.length - 1] === '') a.pop();
  if (b[b.length - 1] === '') b.pop();
  // longest common subsequence, table from the end
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] =
        a[i] === b[j]
          ? lcs[i + 1][j + 1] + 1
          : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops: Array<{ kind: ' ' | '-' | '+'; line: string }> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i++] });
      j++;
    } else if (
      j < b.length &&
      (i >= a.length || lcs[i][j + 1] > lcs[i + 1][j])
    ) {
      ops.push({ kind: '+', line: b[j++] });
    } else {
      ops.push({ kind: '-', line: a[i++] });
    }
  }
  const keep = ops.map((_op, k) =>
    ops
      .slice(Math.max(0, k - context), k + context + 1)
      .some(o => o.kind !== ' '),
  );
  const out = [
    `--- a/${path}`,
    after === undefined ? '+++ /dev/null' : `+++ b/${path}`,
  ];
  let oldLine = 1;
  let newLine = 1;
  for (let k = 0; k < ops.length; ) {
    if (!keep[k]) {
      if (ops[k].kind !== '+') oldLine++;
      if (ops[k].kind !== '-') newLine++;
      k++;
      continue;
    }
    const hunk: string[] = [];
    const start = { old: oldLine, new: newLine };
    let olds = 0;
    let news = 0;
    for (; k < ops.length && keep[k]; k++) {
      hunk.push(`${ops[k].kind}${ops[k].line}`);
      if (ops[k].kind !== '+') {
        olds++;
        oldLine++;
      }
      if (ops[k].kind !== '-') {
        news++;
        newLine++;
      }
    }
    out.push(
      `@@ -${olds ? start.old : start.old - 1},${olds} +${
        news ? start.new : start.new - 1
      },${news} @@`,
      ...hunk,
    );
  }
  return `${out.join('\n')}\n`;
}
