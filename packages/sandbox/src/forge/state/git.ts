import { execFile } from 'child_process';

const ENV = {
  GIT_AUTHOR_NAME: 'Sandbox',
  GIT_AUTHOR_EMAIL: 'sandbox@example.invalid',
  GIT_COMMITTER_NAME: 'Sandbox',
  GIT_COMMITTER_EMAIL: 'sandbox@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

/** Runs git against a bare repository; resolves stdout, rejects with stderr. */
export function git(
  gitDir: string,
  args: string[],
  options: {
    input?: string | Buffer;
    env?: Record<string, string>;
    allowExit?: number[];
  } = {},
): Promise<{ stdout: string; code: number }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      ['--git-dir', gitDir, ...args],
      {
        env: { ...process.env, ...ENV, ...options.env },
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'buffer',
      },
      (error, stdout, stderr) => {
        const exit = (error as { code?: unknown } | null)?.code;
        let code = 0;
        if (error) code = typeof exit === 'number' ? exit : 1;
        if (error && !(options.allowExit ?? []).includes(code)) {
          reject(
            new Error(
              `git ${args.join(' ')}: ${stderr.toString() || error.message}`,
            ),
          );
        } else {
          resolve({ stdout: stdout.toString('utf8'), code });
        }
      },
    );
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
}

/** Every blob of a tree, by path. */
export async function readTree(
  gitDir: string,
  treeish: string,
): Promise<Map<string, TreeEntry>> {
  const { stdout } = await git(gitDir, ['ls-tree', '-r', '-z', treeish]);
  const out = new Map<string, TreeEntry>();
  for (const line of stdout.split('\0')) {
    if (!line) continue;
    const tab = line.indexOf('\t');
    const [mode, type, sha] = line.slice(0, tab).split(' ');
    out.set(line.slice(tab + 1), {
      mode,
      type: type as TreeEntry['type'],
      sha,
    });
  }
  return out;
}

/** Writes nested trees for a flat path → blob map; returns the root tree's sha. */
export async function writeTree(
  gitDir: string,
  files: Map<string, TreeEntry>,
): Promise<string> {
  type Dir = { files: Map<string, TreeEntry>; dirs: Map<string, Dir> };
  const root: Dir = { files: new Map(), dirs: new Map() };
  for (const [path, entry] of files) {
    const parts = path.split('/');
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      if (!dir.dirs.has(part))
        dir.dirs.set(part, { files: new Map(), dirs: new Map() });
      dir = dir.dirs.get(part)!;
    }
    dir.files.set(parts[parts.length - 1], entry);
  }
  const write = async (dir: Dir): Promise<string> => {
    const lines: string[] = [];
    for (const [name, sub] of dir.dirs)
      lines.push(`040000 tree ${await write(sub)}\t${name}`);
    for (const [name, e] of dir.files)
      lines.push(`${e.mode} ${e.type} ${e.sha}\t${name}`);
    const { stdout } = await git(gitDir, ['mktree', '-z'], {
      input: lines.map(l => `${l}\0`).join(''),
    });
    return stdout.trim();
  };
  return write(root);
}

export async function hashBlob(
  gitDir: string,
  content: Buffer,
): Promise<string> {
  const { stdout } = await git(gitDir, ['hash-object', '-w', '--stdin'], {
    input: content,
  });
  return stdout.trim();
}

export async function revParse(
  gitDir: string,
  rev: string,
): Promise<string | undefined> {
  const { stdout, code } = await git(
    gitDir,
    ['rev-parse', '--verify', '--quiet', rev],
    {
      allowExit: [1, 128],
    },
  );
  return code === 0 ? stdout.trim() : undefined;
}
