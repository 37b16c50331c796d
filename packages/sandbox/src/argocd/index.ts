import { parseAllDocuments } from 'yaml';
import type { ForgeStandIn } from '../forge';
import { KubeObject, KubernetesStandIn } from '../kubernetes';

/** The `argocd.argoproj.io/sync-wave` annotation of an object (0 when unset). */
export function syncWave(obj: KubeObject): number {
  const wave = Number(
    (obj.metadata as any).annotations?.['argocd.argoproj.io/sync-wave'] ?? 0,
  );
  return Number.isFinite(wave) ? wave : 0;
}

export interface ArgoCdOptions {
  kube: KubernetesStandIn;
  forge: ForgeStandIn;
  /** The GitOps repository and branch the Application follows. */
  repo: { owner: string; name: string; branch?: string };
  log?: (message: string) => void;
}

/**
 * Argo CD with an automated sync and prune of one Application over the whole GitOps branch:
 * every YAML manifest (kustomization files aside), lower sync-waves first; what the last sync
 * applied and Git no longer holds is deleted. Status written by the controllers is kept.
 */
export class ArgoCd {
  /** Objects applied by the last sync, by "kind/namespace/name". */
  readonly applied: string[] = [];
  /** What the last sync applied from Git, to prune what Git no longer holds. */
  private fromGit: KubeObject[] = [];

  constructor(private readonly options: ArgoCdOptions) {}

  /** Apply every manifest of the branch, lower sync-waves first. */
  async sync() {
    const { forge, repo, kube, log } = this.options;
    const files = await forge.readFiles(
      repo.owner,
      repo.name,
      repo.branch ?? 'main',
    );
    const objects: KubeObject[] = [];
    for (const [path, text] of Object.entries(files)) {
      if (!/\.ya?ml$/.test(path)) continue;
      for (const doc of parseAllDocuments(text)) {
        const obj = doc.toJS() as KubeObject;
        if (!obj?.apiVersion || !obj?.kind || !obj?.metadata?.name) continue;
        if (obj.apiVersion.startsWith('kustomize.config.k8s.io')) continue;
        objects.push(obj);
      }
    }
    objects.sort((a, b) => syncWave(a) - syncWave(b));
    // Argo CD with automated prune: an object of the last sync that Git no longer holds is
    // deleted (higher sync-waves first, as Argo CD prunes in reverse order)
    const id = (o: KubeObject) =>
      `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${
        o.metadata.name
      }`;
    const kept = new Set(objects.map(id));
    for (const gone of this.fromGit
      .filter(o => !kept.has(id(o)))
      .sort((a, b) => syncWave(b) - syncWave(a))) {
      kube.delete(
        gone.apiVersion!,
        gone.kind!,
        gone.metadata.namespace,
        gone.metadata.name!,
      );
      log?.(
        `argocd: pruned ${gone.kind} ${gone.metadata.namespace}/${gone.metadata.name}`,
      );
    }
    this.fromGit = objects;
    this.applied.length = 0;
    for (const obj of objects) {
      const existing = kube.get(
        obj.apiVersion,
        obj.kind,
        obj.metadata.namespace,
        obj.metadata.name,
      );
      // keep the status the controllers wrote; take spec, labels and annotations from Git
      kube.apply(
        existing
          ? { ...existing, ...obj, status: (existing as any).status }
          : obj,
      );
      this.applied.push(
        `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`,
      );
    }
  }
}
