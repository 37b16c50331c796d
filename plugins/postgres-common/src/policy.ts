import { GitopsRepository } from './gitops';

/**
 * Compute resources of one size, in Kubernetes quantities.
 *
 * @public
 */
export interface SizeResources {
  /** What the scheduler reserves. */
  requests: { cpu: string; memory: string };
  /** The most the database may use. */
  limits: { cpu: string; memory: string };
}

/**
 * One size the platform offers.
 *
 * @public
 */
export interface SizeOption {
  /** What the size is for, shown in the template. */
  description: string;
  /** Its compute resources. */
  resources: SizeResources;
}

/**
 * The choices the platform team curates (app-config `postgres.*`).
 *
 * @public
 */
export interface PostgresPolicy {
  /** size name → description and resources; the claim's `size` must be one of the keys. */
  sizes: Record<string, SizeOption>;
  /** PostgreSQL major versions offered, as strings ("16"). */
  versions: string[];
  /** Environments offered; used in the SSM path. */
  environments: string[];
  /** Storage bounds in GB, inclusive. */
  storageGB: { min: number; max: number };
  /** How far one upgrade may go. */
  upgrades: {
    /** The most PostgreSQL major versions one upgrade may skip ahead (default 1). */
    maxMajorSteps: number;
  };
  /** Where the credentials are kept in AWS SSM. */
  ssm: {
    /**
     * SSM parameter name pattern with placeholders `{environment}`, `{service}`,
     * `{namespace}`, `{name}`, `{entityNamespace}` (the component's catalog namespace) and
     * `{key}` (`user` or `password`).
     */
    pathPattern: string;
  };
  /** How the ExternalSecret is written. */
  externalSecret: {
    /** apiVersion written and read for ExternalSecrets (`external-secrets.io/v1beta1` or `/v1`). */
    apiVersion: string;
    /** The secret store the ExternalSecret reads from. */
    secretStoreRef: { name: string; kind: string };
    /** ESO's refresh interval, e.g. `1h`. */
    refreshInterval: string;
  };
  /** Where the manifests go. */
  gitops: {
    /** Folder in the GitOps repository, placeholders `{namespace}`, `{name}`, `{environment}`, `{service}`. */
    pathPattern: string;
    /** The repositories pull requests may go to; none configured allows none. */
    repositories: GitopsRepository[];
  };
}

/**
 * The seed platform's choices: sizes and resources from the Composition, versions 14–18,
 * SSM names `/zerotouch/{environment}/{service}/postgres/{key}`, ESO v1beta1 with the
 * `aws-parameter-store` ClusterSecretStore.
 *
 * @public
 */
export const DEFAULT_POLICY: PostgresPolicy = Object.freeze({
  sizes: {
    small: {
      description: 'Small: 250m–1000m CPU, 256Mi–1Gi memory',
      resources: {
        requests: { cpu: '250m', memory: '256Mi' },
        limits: { cpu: '1000m', memory: '1Gi' },
      },
    },
    medium: {
      description: 'Medium: 500m–2000m CPU, 512Mi–2Gi memory',
      resources: {
        requests: { cpu: '500m', memory: '512Mi' },
        limits: { cpu: '2000m', memory: '2Gi' },
      },
    },
    large: {
      description: 'Large: 1000m–4000m CPU, 1Gi–4Gi memory',
      resources: {
        requests: { cpu: '1000m', memory: '1Gi' },
        limits: { cpu: '4000m', memory: '4Gi' },
      },
    },
  },
  versions: ['14', '15', '16', '17', '18'],
  environments: ['dev', 'staging', 'prod'],
  storageGB: { min: 10, max: 1000 },
  upgrades: { maxMajorSteps: 1 },
  ssm: { pathPattern: '/zerotouch/{environment}/{service}/postgres/{key}' },
  externalSecret: {
    apiVersion: 'external-secrets.io/v1beta1',
    secretStoreRef: { name: 'aws-parameter-store', kind: 'ClusterSecretStore' },
    refreshInterval: '1h',
  },
  gitops: { pathPattern: 'databases/{namespace}/{name}', repositories: [] },
}) as PostgresPolicy;

/**
 * The choices a form offers, as the postgres backend serves them (`GET /v1/policy`): the
 * policy's sizes, versions, environments, storage bounds, upgrade steps and the SSM path
 * pattern (a name, so that the form can say where credentials go), nothing else (no GitOps
 * settings).
 *
 * @public
 */
export type PostgresChoices = Pick<
  PostgresPolicy,
  'sizes' | 'versions' | 'environments' | 'storageGB' | 'upgrades' | 'ssm'
>;

/**
 * The part of a policy that a form may show: {@link PostgresChoices}.
 *
 * @public
 */
export function policyChoices(policy: PostgresPolicy): PostgresChoices {
  const { sizes, versions, environments, storageGB, upgrades, ssm } = policy;
  // the SSM path pattern is a name, not a secret: the form says where the credentials go
  return {
    sizes,
    versions,
    environments,
    storageGB,
    upgrades,
    ssm: { pathPattern: ssm.pathPattern },
  };
}

/**
 * A partial policy, as a caller may pass it; missing parts take the defaults.
 *
 * @public
 */
export type PostgresPolicyInput = {
  sizes?: Record<string, SizeOption>;
  versions?: string[];
  environments?: string[];
  storageGB?: Partial<PostgresPolicy['storageGB']>;
  upgrades?: Partial<PostgresPolicy['upgrades']>;
  ssm?: Partial<PostgresPolicy['ssm']>;
  externalSecret?: Partial<
    Omit<PostgresPolicy['externalSecret'], 'secretStoreRef'>
  > & {
    secretStoreRef?: Partial<
      PostgresPolicy['externalSecret']['secretStoreRef']
    >;
  };
  gitops?: Partial<PostgresPolicy['gitops']>;
};

/**
 * Merges a partial policy over the defaults.
 */
export function resolvePolicy(input?: PostgresPolicyInput): PostgresPolicy {
  const d = DEFAULT_POLICY;
  if (!input) return d;
  return {
    sizes:
      input.sizes && Object.keys(input.sizes).length ? input.sizes : d.sizes,
    versions: input.versions?.length ? input.versions : d.versions,
    environments: input.environments?.length
      ? input.environments
      : d.environments,
    storageGB: { ...d.storageGB, ...input.storageGB },
    upgrades: { ...d.upgrades, ...input.upgrades },
    ssm: { ...d.ssm, ...input.ssm },
    externalSecret: {
      ...d.externalSecret,
      ...input.externalSecret,
      secretStoreRef: {
        ...d.externalSecret.secretStoreRef,
        ...input.externalSecret?.secretStoreRef,
      },
    },
    gitops: { ...d.gitops, ...input.gitops },
  };
}

/**
 * The subset of Backstage's `Config` that {@link readPostgresPolicy} uses, so that this
 * package does not need `@backstage/config` at run time.
 *
 * @public
 */
export interface PolicyConfigReader {
  /** As Backstage's `Config.getOptionalConfig`. */
  getOptionalConfig(key: string): PolicyConfigReader | undefined;
  /** As Backstage's `Config.getOptionalString`. */
  getOptionalString(key: string): string | undefined;
  /** As Backstage's `Config.getOptionalNumber`. */
  getOptionalNumber(key: string): number | undefined;
  /** As Backstage's `Config.getOptionalStringArray`. */
  getOptionalStringArray(key: string): string[] | undefined;
  /** As Backstage's `Config.getOptionalConfigArray`. */
  getOptionalConfigArray?(key: string): PolicyConfigReader[] | undefined;
  /** As Backstage's `Config.getString`. */
  getString?(key: string): string;
  /** As Backstage's `Config.keys`. */
  keys(): string[];
}

/**
 * Reads the policy from app-config (`postgres.*`, see config.d.ts), defaults for what is absent.
 * Accepts the root config or the `postgres` block.
 *
 * @public
 */
export function readPostgresPolicy(
  config?: PolicyConfigReader,
): PostgresPolicy {
  const root = config?.getOptionalConfig('postgres') ?? config;
  if (!root) return DEFAULT_POLICY;
  const input: PostgresPolicyInput = {};
  const sizes = root.getOptionalConfig('sizes');
  if (sizes) {
    input.sizes = {};
    for (const key of sizes.keys()) {
      const s = sizes.getOptionalConfig(key)!;
      const fallback = DEFAULT_POLICY.sizes[key];
      const r = (path: string, k: 'cpu' | 'memory') =>
        s
          .getOptionalConfig('resources')
          ?.getOptionalConfig(path)
          ?.getOptionalString(k) ??
        fallback?.resources[path as 'requests' | 'limits'][k];
      const resources = {
        requests: {
          cpu: r('requests', 'cpu'),
          memory: r('requests', 'memory'),
        },
        limits: { cpu: r('limits', 'cpu'), memory: r('limits', 'memory') },
      };
      if (
        [resources.requests, resources.limits].some(x => !x.cpu || !x.memory)
      ) {
        throw new Error(
          `postgres.sizes.${key}.resources must set requests and limits for cpu and memory`,
        );
      }
      input.sizes[key] = {
        description:
          s.getOptionalString('description') ?? fallback?.description ?? key,
        resources: resources as SizeResources,
      };
    }
  }
  input.versions = root.getOptionalStringArray('versions');
  input.environments = root.getOptionalStringArray('environments');
  const storage = root.getOptionalConfig('storageGB');
  if (storage) {
    input.storageGB = {
      min: storage.getOptionalNumber('min'),
      max: storage.getOptionalNumber('max'),
    };
    for (const k of ['min', 'max'] as const) {
      if (input.storageGB[k] === undefined) delete input.storageGB[k];
    }
  }
  const maxMajorSteps = root
    .getOptionalConfig('upgrades')
    ?.getOptionalNumber('maxMajorSteps');
  if (maxMajorSteps !== undefined) {
    if (!Number.isInteger(maxMajorSteps) || maxMajorSteps < 1) {
      throw new Error(
        `postgres.upgrades.maxMajorSteps must be a whole number of at least 1, not ${maxMajorSteps}`,
      );
    }
    input.upgrades = { maxMajorSteps };
  }
  const ssmPattern = root
    .getOptionalConfig('ssm')
    ?.getOptionalString('pathPattern');
  if (ssmPattern) input.ssm = { pathPattern: ssmPattern };
  const es = root.getOptionalConfig('externalSecret');
  if (es) {
    const store = es.getOptionalConfig('secretStoreRef');
    input.externalSecret = {
      ...optional('apiVersion', es.getOptionalString('apiVersion')),
      ...optional('refreshInterval', es.getOptionalString('refreshInterval')),
      secretStoreRef: {
        ...optional('name', store?.getOptionalString('name')),
        ...optional('kind', store?.getOptionalString('kind')),
      },
    };
  }
  const gitops = root.getOptionalConfig('gitops');
  const gitopsPattern = gitops?.getOptionalString('pathPattern');
  const repositories = gitops?.getOptionalConfigArray?.('repositories');
  if (gitopsPattern || repositories) {
    input.gitops = {
      ...optional('pathPattern', gitopsPattern),
      ...optional(
        'repositories',
        repositories?.map((r, i) => {
          const field = (k: string) => {
            const v = r.getOptionalString(k);
            if (!v) {
              throw new Error(
                `postgres.gitops.repositories[${i}].${k} is required`,
              );
            }
            return v;
          };
          return {
            host: field('host').toLowerCase(),
            owner: field('owner'),
            repo: field('repo'),
            baseBranch: r.getOptionalString('baseBranch') ?? 'main',
          };
        }),
      ),
    };
  }
  return resolvePolicy(input);
}

function optional<K extends string, V>(
  key: K,
  value: V | undefined,
): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
