import fs from 'fs';
import path from 'path';
import { git, hashBlob, readTree, revParse, TreeEntry, writeTree } from './git';
import { HttpError } from '../routes';

export interface PullRequest {
  number: number;
  owner: string;
  repo: string;
  title: string;
  body: string;
  head: string;
  base: string;
  headSha: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeSha?: string;
  draft: boolean;
  /** The login of who opened it (the forge's one account, `sandbox-bot`). */
  user: string;
  createdAt: string;
  updatedAt: string;
  /** When it was closed, merged or not. */
  closedAt?: string;
  mergedAt?: string;
}

export interface MergeEvent {
  owner: string;
  repo: string;
  branch: string;
  sha: string;
  pullRequest: PullRequest;
}

/**
 * The forge's state: bare git repositories on disk (one per `owner/repo`) and the pull requests
 * opened on them, with what a person does through the forge (open, merge, close a pull
 * request). Knows nothing of HTTP; the REST API (api.ts) and the pages (pages.ts) speak for it.
 */
export class ForgeState {
  readonly pulls: PullRequest[] = [];
  private mergeListeners: Array<(e: MergeEvent) => void | Promise<void>> = [];

  constructor(readonly dataDir: string) {}

  onMerge(listener: (e: MergeEvent) => void | Promise<void>) {
    this.mergeListeners.push(listener);
  }

  gitDir(owner: string, repo: string) {
    return path.join(this.dataDir, owner, `${repo}.git`);
  }

  /** The git directory of a repository that exists; HTTP 404 otherwise. */
  repoDir(owner: string, repo: string) {
    const dir = this.gitDir(owner, repo);
    if (
      !/^[\w.-]+$/.test(owner) ||
      !/^[\w.-]+$/.test(repo) ||
      !fs.existsSync(dir)
    ) {
      throw new HttpError(404, 'Not Found');
    }
    return dir;
  }

  async createRepo(
    owner: string,
    repo: string,
    files: Record<string, string> = { 'README.md': `# ${repo}\n` },
  ) {
    const dir = this.gitDir(owner, repo);
    fs.mkdirSync(dir, { recursive: true });
    await git(dir, ['init', '--bare', '--initial-branch=main', '-q']);
    await this.commitFiles(owner, repo, files, 'Initial commit');
  }

  /**
   * Commits files straight to a branch (the first commit when the branch does not exist yet);
   * used to seed the sandbox's GitOps repository.
   */
  async commitFiles(
    owner: string,
    repo: string,
    /** Path → content; `null` deletes the file. */
    files: Record<string, string | null>,
    message: string,
    branch = 'main',
  ) {
    const dir = this.gitDir(owner, repo);
    const parent = await revParse(dir, `refs/heads/${branch}`);
    const entries = parent
      ? await readTree(dir, parent)
      : new Map<string, TreeEntry>();
    for (const [p, content] of Object.entries(files)) {
      if (content === null) {
        entries.delete(p);
        continue;
      }
      entries.set(p, {
        mode: '100644',
        type: 'blob',
        sha: await hashBlob(dir, Buffer.from(content)),
      });
    }
    const tree = await writeTree(dir, entries);
    const args = ['commit-tree', tree, '-m', message];
    if (parent) args.push('-p', parent);
    const sha = (await git(dir, args)).stdout.trim();
    await git(dir, [
      'update-ref',
      `refs/heads/${branch}`,
      sha,
      ...(parent ? [parent] : []),
    ]);
    return sha;
  }

  /**
   * Opens a pull request from a new branch `head`, made from `base` with `files` committed on
   * top (as a person would with git and the forge's page); returns it.
   */
  async openPullRequest(
    owner: string,
    repo: string,
    options: {
      head: string;
      /** Path → content; `null` deletes the file. */
      files: Record<string, string | null>;
      title: string;
      base?: string;
    },
  ): Promise<PullRequest> {
    const base = options.base ?? 'main';
    const dir = this.repoDir(owner, repo);
    const baseSha = await revParse(dir, `refs/heads/${base}`);
    if (!baseSha) throw new HttpError(422, `No branch ${base}`);
    await git(dir, ['update-ref', `refs/heads/${options.head}`, baseSha]);
    const headSha = await this.commitFiles(
      owner,
      repo,
      options.files,
      options.title,
      options.head,
    );
    return this.addPull({
      owner,
      repo,
      title: options.title,
      body: '',
      head: options.head,
      base,
      headSha,
      draft: false,
    });
  }

  /** A new open pull request, numbered after the last, opened by the forge's one account. */
  addPull(
    fields: Pick<
      PullRequest,
      | 'owner'
      | 'repo'
      | 'title'
      | 'body'
      | 'head'
      | 'base'
      | 'headSha'
      | 'draft'
    >,
  ): PullRequest {
    const at = new Date().toISOString();
    const pr: PullRequest = {
      ...fields,
      number: this.pulls.length + 1,
      state: 'open',
      merged: false,
      user: 'sandbox-bot',
      createdAt: at,
      updatedAt: at,
    };
    this.pulls.push(pr);
    return pr;
  }

  /** Files of a branch (path → text). */
  async readFiles(
    owner: string,
    repo: string,
    ref = 'main',
  ): Promise<Record<string, string>> {
    const dir = this.gitDir(owner, repo);
    const out: Record<string, string> = {};
    for (const [p, e] of await readTree(dir, ref)) {
      out[p] = (await git(dir, ['cat-file', 'blob', e.sha])).stdout;
    }
    return out;
  }

  /** Paths changed by a pull request against its base, with their status. */
  async pullFiles(
    pr: PullRequest,
  ): Promise<Array<{ filename: string; status: string; content?: string }>> {
    const dir = this.gitDir(pr.owner, pr.repo);
    const base = pr.merged ? `${pr.mergeSha}^1` : `refs/heads/${pr.base}`;
    const mergeBase = (
      await git(dir, ['merge-base', base, pr.headSha])
    ).stdout.trim();
    const { stdout } = await git(dir, [
      'diff',
      '--name-status',
      '-z',
      mergeBase,
      pr.headSha,
    ]);
    const parts = stdout.split('\0').filter(Boolean);
    const out: Array<{ filename: string; status: string; content?: string }> =
      [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const status =
        { A: 'added', M: 'modified', D: 'removed' }[parts[i][0]] ?? 'changed';
      const filename = parts[i + 1];
      const content =
        status === 'removed'
          ? undefined
          : (await git(dir, ['show', `${pr.headSha}:${filename}`])).stdout;
      out.push({ filename, status, content });
    }
    return out;
  }

  /** Merges a pull request with a merge commit, as GitHub's default does. */
  async merge(
    owner: string,
    repo: string,
    number: number,
  ): Promise<PullRequest> {
    const pr = this.pull(owner, repo, number);
    if (pr.state !== 'open')
      throw new HttpError(405, 'Pull Request is not mergeable');
    const dir = this.gitDir(owner, repo);
    const baseSha = (await revParse(dir, `refs/heads/${pr.base}`))!;
    const { stdout, code } = await git(
      dir,
      ['merge-tree', '--write-tree', baseSha, pr.headSha],
      {
        allowExit: [1],
      },
    );
    if (code !== 0) throw new HttpError(405, 'Merge conflict');
    const tree = stdout.split('\n')[0].trim();
    const commit = (
      await git(dir, [
        'commit-tree',
        tree,
        '-p',
        baseSha,
        '-p',
        pr.headSha,
        '-m',
        `Merge pull request #${pr.number} from ${pr.head}\n\n${pr.title}`,
      ])
    ).stdout.trim();
    await git(dir, ['update-ref', `refs/heads/${pr.base}`, commit, baseSha]);
    const at = new Date().toISOString();
    pr.state = 'closed';
    pr.merged = true;
    pr.mergeSha = commit;
    pr.mergedAt = at;
    pr.closedAt = at;
    pr.updatedAt = at;
    for (const listener of this.mergeListeners) {
      await listener({
        owner,
        repo,
        branch: pr.base,
        sha: commit,
        pullRequest: pr,
      });
    }
    return pr;
  }

  /**
   * Closes an open pull request without merging it, or reopens a closed one that was not
   * merged (GitHub's `PATCH /repos/{owner}/{repo}/pulls/{n}` with `state`).
   */
  setState(
    owner: string,
    repo: string,
    number: number,
    state: 'open' | 'closed',
  ): PullRequest {
    const pr = this.pull(owner, repo, number);
    if (pr.merged && state === 'open') {
      throw new HttpError(
        422,
        'Validation Failed: cannot reopen a merged pull request',
      );
    }
    if (pr.state !== state) {
      const at = new Date().toISOString();
      pr.state = state;
      pr.closedAt = state === 'closed' ? at : undefined;
      pr.updatedAt = at;
    }
    return pr;
  }

  pull(owner: string, repo: string, number: number): PullRequest {
    const pr = this.pulls.find(
      p => p.owner === owner && p.repo === repo && p.number === number,
    );
    if (!pr) throw new HttpError(404, 'Not Found');
    return pr;
  }
}
