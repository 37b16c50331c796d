import type { PullRequest } from '../state';

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    c =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[
        c
      ]!),
  );

/** An HTML page of the forge: its status and text. */
export interface Page {
  status: number;
  html: string;
}

function page(status: number, title: string, content: string): Page {
  return {
    status,
    html: `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(
      title,
    )}</title>
<style>body{font-family:sans-serif;margin:2rem;max-width:60rem}pre{background:#f6f8fa;padding:1rem;overflow:auto}
.state{display:inline-block;padding:.2rem .6rem;border-radius:1rem;color:#fff;background:#1f883d}.merged{background:#8250df}.closed{background:#cf222e}
form{display:inline-block;margin-right:.5rem}
button{background:#1f883d;color:#fff;border:0;padding:.5rem 1rem;border-radius:.4rem;font-size:1rem;cursor:pointer}button.close{background:#6e7781}</style>
</head><body>${content}</body></html>`,
  };
}

export const notFoundPage = (what = 'Not found') =>
  page(404, 'Not found', `<h1>${escapeHtml(what)}</h1>`);

function stateBadge(pr: PullRequest) {
  if (pr.merged) return '<span class="state merged">Merged</span>';
  return pr.state === 'open'
    ? '<span class="state">Open</span>'
    : '<span class="state closed">Closed</span>';
}

/** A pull request with its files, and (while it is open) Merge and Close buttons. */
export function pullRequestPage(
  pr: PullRequest,
  files: Array<{ filename: string; status: string; content?: string }>,
): Page {
  const base = `/${pr.owner}/${pr.repo}/pull/${pr.number}`;
  const actions =
    pr.state === 'open'
      ? `<form method="post" action="${base}/merge"><button type="submit">Merge pull request</button></form>` +
        `<form method="post" action="${base}/close"><button type="submit" class="close">Close pull request</button></form>`
      : '';
  return page(
    200,
    `${pr.title} #${pr.number}`,
    `<h1>${escapeHtml(pr.title)} <small>#${pr.number}</small></h1>
<p>${stateBadge(pr)} <code>${escapeHtml(pr.head)}</code> → <code>${escapeHtml(
      pr.base,
    )}</code> in ${escapeHtml(pr.owner)}/${escapeHtml(
      pr.repo,
    )}, opened by ${escapeHtml(pr.user)}</p>
<pre>${escapeHtml(pr.body)}</pre>${actions}
<h2>Files changed (${files.length})</h2>
${files
  .map(
    f =>
      `<h3>${escapeHtml(f.filename)} <small>${
        f.status
      }</small></h3><pre>${escapeHtml(f.content ?? '')}</pre>`,
  )
  .join('\n')}`,
  );
}

/** The pull requests of one repository, newest first. */
export function pullRequestListPage(
  owner: string,
  repo: string,
  pulls: PullRequest[],
): Page {
  return page(
    200,
    'Pull requests',
    `<h1>Pull requests of ${escapeHtml(owner)}/${escapeHtml(
      repo,
    )}</h1><ul>${pulls
      .map(
        p =>
          `<li><a href="/${p.owner}/${p.repo}/pull/${p.number}">#${
            p.number
          } ${escapeHtml(p.title)}</a> (${p.merged ? 'merged' : p.state})</li>`,
      )
      .join('')}</ul>`,
  );
}

/** One file of a branch, as its text. */
export function filePage(
  owner: string,
  repo: string,
  ref: string,
  file: string,
  content: string,
): Page {
  return page(
    200,
    `${file} at ${ref}`,
    `<h1>${escapeHtml(file)}</h1><p>${escapeHtml(owner)}/${escapeHtml(
      repo,
    )}, branch <code>${escapeHtml(ref)}</code></p><pre>${escapeHtml(
      content,
    )}</pre>`,
  );
}
