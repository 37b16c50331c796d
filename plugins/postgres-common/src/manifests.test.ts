import path from 'path';
import Ajv from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import {
  renderManifests,
  renderManifestFiles,
  toYaml,
  gitopsPath,
  claimManifestPath,
  kubernetesIdFor,
  KubeObject,
  externalSecretManifestPath,
  readExternalSecretParameters,
} from './manifests';
import { DatabaseRequest, SEED_EXAMPLE_REQUEST } from './request';
import { ssmParameterNames } from './ssm';
import { applicationEnv, applicationEnvYaml } from './connection';
import {
  FIXTURES_DIR,
  readReferenceJson,
  readYamlDocuments,
  REFERENCE_DIR,
  strictSchema,
  seedRequest as seedRequest_,
} from './__testUtils__/reference';

const seedRequest: DatabaseRequest = seedRequest_();

/** Every leaf path of a value, e.g. spec.data[0].remoteRef.key. */
function leaves(value: unknown, prefix = ''): Array<[string, unknown]> {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => leaves(v, `${prefix}[${i}]`));
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) =>
      leaves(v, prefix ? `${prefix}.${k}` : k),
    );
  }
  return [[prefix, value]];
}

describe('renderManifests', () => {
  const [seedExternalSecret, seedClaim] = readYamlDocuments(
    path.join(FIXTURES_DIR, 'seed/agent-executor.yaml'),
  );
  const rendered = renderManifests(seedRequest);

  it.each([
    ['ExternalSecret', 'externalSecret', seedExternalSecret],
    ['PostgresInstance', 'postgresInstance', seedClaim],
  ] as const)('the %s matches the seed field by field', (_kind, key, seed) => {
    const ours = rendered[key];
    const ourLeaves = new Map(leaves(ours));
    // every field of the seed is present with the same value and type
    for (const [p, v] of leaves(seed)) {
      expect([p, ourLeaves.get(p)]).toEqual([p, v]);
    }
    // what we add beyond the seed: Argo CD's sync wave, the owning entity and the Backstage
    // label, and on the Secret External Secrets writes the label the fleet lists it by
    const seedPaths = new Set(leaves(seed).map(([p]) => p));
    const extra = [...ourLeaves.keys()].filter(p => !seedPaths.has(p)).sort();
    expect(extra).toEqual([
      'metadata.annotations.argocd.argoproj.io/sync-wave',
      'metadata.annotations.bizmatters.io/entity-ref',
      'metadata.labels.backstage.io/kubernetes-id',
      ...(key === 'externalSecret'
        ? [
            'spec.target.template.metadata.labels.bizmatters.io/postgres-instance',
          ]
        : []),
    ]);
  });

  it('sets sync-wave 0 on the ExternalSecret and 1 on the claim, and the entity label on both', () => {
    expect(rendered.externalSecret.metadata!.annotations).toEqual({
      'argocd.argoproj.io/sync-wave': '0',
      'bizmatters.io/entity-ref': 'component:default/agent-executor',
    });
    expect(rendered.postgresInstance.metadata!.annotations).toEqual({
      'argocd.argoproj.io/sync-wave': '1',
      'bizmatters.io/entity-ref': 'component:default/agent-executor',
    });
    for (const o of [rendered.externalSecret, rendered.postgresInstance]) {
      expect(o.metadata!.labels).toEqual({
        'backstage.io/kubernetes-id': 'agent-executor',
      });
    }
  });

  it('names the owning entity and group in full refs on both objects', () => {
    const m = renderManifests({
      ...seedRequest,
      component: 'Orders',
      owner: 'team-orders',
    });
    for (const o of [m.externalSecret, m.postgresInstance]) {
      expect(o.metadata!.annotations).toMatchObject({
        'bizmatters.io/entity-ref': 'component:default/orders',
        'bizmatters.io/owner': 'group:default/team-orders',
      });
    }
    const none = renderManifests({ ...seedRequest, component: undefined });
    expect(none.postgresInstance.metadata!.annotations).toEqual({
      'argocd.argoproj.io/sync-wave': '1',
    });
  });

  it('takes apiVersion, store and refresh interval from the policy', () => {
    const m = renderManifests(seedRequest, {
      externalSecret: {
        apiVersion: 'external-secrets.io/v1',
        secretStoreRef: { name: 'ssm-eu' },
        refreshInterval: '15m',
      },
      ssm: { pathPattern: '/platform/{environment}/{namespace}/{name}/{key}' },
    });
    expect(m.externalSecret.apiVersion).toBe('external-secrets.io/v1');
    expect(m.externalSecret.spec.secretStoreRef).toEqual({
      name: 'ssm-eu',
      kind: 'ClusterSecretStore',
    });
    expect(m.externalSecret.spec.refreshInterval).toBe('15m');
    expect(m.externalSecret.spec.data[0].remoteRef.key).toBe(
      '/platform/prod/databases/agent-executor-db/user',
    );
  });

  it('refuses an invalid request with every problem', () => {
    expect(() =>
      renderManifests({
        ...seedRequest,
        databaseOwner: 'postgres',
        storageGB: 5,
      }),
    ).toThrow(
      /databaseOwner:[\s\S]*storageGB:|storageGB:[\s\S]*databaseOwner:/,
    );
  });

  it('labels with the service when no component is given', () => {
    expect(kubernetesIdFor({ service: 'orders' })).toBe('orders');
    expect(
      kubernetesIdFor({
        service: 'orders',
        component: 'component:team/checkout',
      }),
    ).toBe('checkout');
  });
});

describe('rendered manifests against the real schemas', () => {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateFormats: false,
  });
  const objectMeta = {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'namespace'],
    properties: {
      name: { type: 'string' },
      namespace: { type: 'string' },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      annotations: { type: 'object', additionalProperties: { type: 'string' } },
    },
  };
  function withoutNotes(x: any): any {
    if (Array.isArray(x)) return x.map(withoutNotes);
    if (!x || typeof x !== 'object') return x;
    return Object.fromEntries(
      Object.entries(x)
        .filter(([k]) => !k.startsWith('_'))
        .map(([k, v]) => [k, withoutNotes(v)]),
    );
  }

  function crdValidator(
    file: string,
    version: string,
    group: string,
    kind: string,
  ) {
    const [crd] = readYamlDocuments(path.join(REFERENCE_DIR, file));
    const v = crd.spec.versions.find((x: any) => x.name === version);
    expect(v).toBeDefined();
    const schema = strictSchema(v.schema.openAPIV3Schema);
    schema.properties.metadata = objectMeta;
    schema.properties.apiVersion = { const: `${group}/${version}` };
    schema.properties.kind = { const: kind };
    schema.required = ['apiVersion', 'kind', 'metadata', 'spec'];
    return { validate: ajv.compile(schema), served: v.served };
  }

  function claimValidator() {
    const [xrd] = readYamlDocuments(
      path.join(
        REFERENCE_DIR,
        'platform/ssm-variant-arun4infra-b88f630/postgres-xrd.yaml',
      ),
    );
    const injected = withoutNotes(
      readReferenceJson('crossplane/claim-xr-injected-schema.v1.16.json').claim,
    );
    const base = xrd.spec.versions.find((x: any) => x.name === 'v1alpha1')
      .schema.openAPIV3Schema;
    const schema = strictSchema(base);
    schema.properties.spec.properties = {
      ...schema.properties.spec.properties,
      ...strictSchema(injected.specPropsInjected),
    };
    schema.properties.metadata = objectMeta;
    schema.properties.apiVersion = { const: `${xrd.spec.group}/v1alpha1` };
    schema.properties.kind = { const: xrd.spec.claimNames.kind };
    schema.required = ['apiVersion', 'kind', 'metadata', 'spec'];
    return ajv.compile(schema);
  }

  const sizes = ['small', 'medium', 'large'];
  const requests = sizes.map((size, i) => ({
    ...seedRequest,
    size,
    storageGB: [10, 20, 1000][i],
    version: ['14', '16', '18'][i],
  }));

  it('the PostgresInstance validates against the claim schema of the SSM-variant XRD', () => {
    const validate = claimValidator();
    for (const r of requests) {
      const { postgresInstance } = renderManifests(r);
      expect([validate(postgresInstance), validate.errors]).toEqual([
        true,
        null,
      ]);
    }
  });

  it('the claim schema rejects unknown fields (the check can fail)', () => {
    const validate = claimValidator();
    const { postgresInstance } = renderManifests(seedRequest);
    const bad: KubeObject = {
      ...postgresInstance,
      spec: { ...postgresInstance.spec, replicas: 3 },
    };
    expect(validate(bad)).toBe(false);
    expect(
      validate({
        ...postgresInstance,
        spec: { ...postgresInstance.spec, size: 'huge' },
      }),
    ).toBe(false);
  });

  it('the ExternalSecret validates against ESO 0.9.13 v1beta1 (the version the platform pins)', () => {
    const { validate, served } = crdValidator(
      'eso/v0.9.13/external-secrets.io_externalsecrets.yaml',
      'v1beta1',
      'external-secrets.io',
      'ExternalSecret',
    );
    expect(served).toBe(true);
    const { externalSecret } = renderManifests(seedRequest);
    expect([validate(externalSecret), validate.errors]).toEqual([true, null]);
    expect(
      validate({
        ...externalSecret,
        spec: { ...externalSecret.spec, unknownField: 1 },
      }),
    ).toBe(false);
  });

  it('with apiVersion external-secrets.io/v1 it validates against ESO 2.9.0 v1', () => {
    const { validate, served } = crdValidator(
      'eso/v2.9.0/external-secrets.io_externalsecrets.yaml',
      'v1',
      'external-secrets.io',
      'ExternalSecret',
    );
    expect(served).toBe(true);
    const { externalSecret } = renderManifests(seedRequest, {
      externalSecret: { apiVersion: 'external-secrets.io/v1' },
    });
    expect([validate(externalSecret), validate.errors]).toEqual([true, null]);
  });

  it('ESO 2.9.0 no longer serves v1beta1 (why the apiVersion is configuration)', () => {
    const { served } = crdValidator(
      'eso/v2.9.0/external-secrets.io_externalsecrets.yaml',
      'v1beta1',
      'external-secrets.io',
      'ExternalSecret',
    );
    expect(served).toBe(false);
  });
});

describe('renderManifestFiles and toYaml', () => {
  it('writes the two manifests and a kustomization listing them, all parseable', () => {
    const files = renderManifestFiles(seedRequest);
    expect(Object.keys(files).sort()).toEqual([
      'externalsecret.yaml',
      'kustomization.yaml',
      'postgresinstance.yaml',
    ]);
    const m = renderManifests(seedRequest);
    expect(parse(files['externalsecret.yaml'])).toEqual(m.externalSecret);
    expect(parse(files['postgresinstance.yaml'])).toEqual(m.postgresInstance);
    expect(parse(files['kustomization.yaml'])).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['externalsecret.yaml', 'postgresinstance.yaml'],
    });
    // the version stays a string, the storage a number
    expect(files['postgresinstance.yaml']).toContain('version: "16"');
    expect(files['postgresinstance.yaml']).toContain('storageGB: 20\n');
  });

  it('quotes values that YAML would otherwise re-type', () => {
    const text = toYaml(
      { a: '0', b: 'true', c: 'null', d: '1e3', e: 'x: y' },
      { f: '#' },
    );
    const docs = parseAllDocuments(text).map(d => d.toJS());
    expect(docs).toEqual([
      { a: '0', b: 'true', c: 'null', d: '1e3', e: 'x: y' },
      { f: '#' },
    ]);
  });

  it('puts the files under databases/{namespace}/{name} by default', () => {
    expect(gitopsPath(seedRequest)).toBe(
      'databases/databases/agent-executor-db',
    );
    expect(
      gitopsPath(seedRequest, {
        gitops: { pathPattern: '/clusters/{environment}/{namespace}/' },
      }),
    ).toBe('clusters/prod/databases');
    expect(() =>
      gitopsPath(seedRequest, { gitops: { pathPattern: '../{name}' } }),
    ).toThrow(/not a plain relative folder/);
    expect(() =>
      gitopsPath(seedRequest, { gitops: { pathPattern: '{unknown}/x' } }),
    ).toThrow();
  });

  it('names the claim file among the files written', () => {
    const claim = claimManifestPath(seedRequest);
    expect(claim).toBe(
      'databases/databases/agent-executor-db/postgresinstance.yaml',
    );
    const file = claim.slice(gitopsPath(seedRequest).length + 1);
    expect(parse(renderManifestFiles(seedRequest)[file]).kind).toBe(
      'PostgresInstance',
    );
  });
});

describe('ssmParameterNames', () => {
  it('gives the seed names by default', () => {
    expect(ssmParameterNames(seedRequest)).toEqual({
      user: '/zerotouch/prod/agent-executor/postgres/user',
      password: '/zerotouch/prod/agent-executor/postgres/password',
    });
  });
});

describe('applicationEnv', () => {
  it('wires POSTGRES_* to the connection secret keys as in the seed', () => {
    expect(
      applicationEnv('agent-executor-postgres').map(e => [
        e.name,
        e.valueFrom.secretKeyRef.key,
      ]),
    ).toEqual([
      ['POSTGRES_HOST', 'endpoint'],
      ['POSTGRES_PORT', 'port'],
      ['POSTGRES_DB', 'database'],
      ['POSTGRES_USER', 'username'],
      ['POSTGRES_PASSWORD', 'password'],
    ]);
    const parsed = parse(applicationEnvYaml('agent-executor-postgres'));
    expect(parsed.env[0]).toEqual({
      name: 'POSTGRES_HOST',
      valueFrom: {
        secretKeyRef: { name: 'agent-executor-postgres', key: 'endpoint' },
      },
    });
  });
});

describe('readExternalSecretParameters', () => {
  it("reads the SSM parameters an ExternalSecret maps, whatever today's pattern gives", () => {
    const files = renderManifestFiles(SEED_EXAMPLE_REQUEST, {
      ssm: { pathPattern: '/old/{environment}/{service}/postgres/{key}' },
    });
    expect(readExternalSecretParameters(files['externalsecret.yaml'])).toEqual({
      user: `/old/${SEED_EXAMPLE_REQUEST.environment}/${SEED_EXAMPLE_REQUEST.service}/postgres/user`,
      password: `/old/${SEED_EXAMPLE_REQUEST.environment}/${SEED_EXAMPLE_REQUEST.service}/postgres/password`,
      // how soon a repaired username reaches the secret
      refreshInterval: '1h',
    });
    expect(
      externalSecretManifestPath(SEED_EXAMPLE_REQUEST).endsWith(
        '/externalsecret.yaml',
      ),
    ).toBe(true);
  });

  it('is undefined for what is not an ExternalSecret mapping both keys', () => {
    expect(readExternalSecretParameters('kind: [\n')).toBeUndefined();
    expect(
      readExternalSecretParameters('kind: PostgresInstance\n'),
    ).toBeUndefined();
    expect(
      readExternalSecretParameters(
        'kind: ExternalSecret\nspec: {data: [{secretKey: username, remoteRef: {key: /a}}]}\n',
      ),
    ).toBeUndefined();
  });
});
