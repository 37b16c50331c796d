import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import {
  CHANGE_TEMPLATE_OPERATIONS,
  DEFAULT_POLICY,
  FORM_FIELD_RULES,
} from '@bizmatters/plugin-postgres-common';

const template = parse(
  fs.readFileSync(
    path.resolve(
      __dirname,
      '../../../../templates/new-postgres-db/template.yaml',
    ),
    'utf8',
  ),
);
const properties: Record<string, any> = Object.assign(
  {},
  ...template.spec.parameters.map((p: any) => p.properties),
);

describe('the template form mirrors the shared rules', () => {
  it.each(
    Object.entries(FORM_FIELD_RULES).filter(([field]) => properties[field]),
  )('%s has the pattern and lengths of postgres-common', (field, rule) => {
    const keys = ['pattern', 'minLength', 'maxLength'] as const;
    const pick = (o: any) =>
      Object.fromEntries(
        keys.filter(k => o[k] !== undefined).map(k => [k, o[k]]),
      );
    expect(pick(properties[field])).toEqual(pick(rule));
  });

  it.each(
    Object.entries(FORM_FIELD_RULES).filter(([field]) => properties[field]),
  )('%s says its rule in words, never as schema text', (field, rule) => {
    expect(properties[field].errorMessage).toBe(rule.message);
  });

  it('the optional password is a secret field, so its value goes to task secrets only', () => {
    expect(properties.postgresPassword).toMatchObject({
      type: 'string',
      'ui:field': 'PostgresPasswordField',
      // the Review says it is set, never its length
      'ui:backstage': { review: { mask: expect.any(String) } },
    });
    // no step passes it on: the credentials action reads it from secrets itself
    expect(JSON.stringify(template.spec.steps)).not.toContain(
      'parameters.postgresPassword',
    );
    expect(
      template.spec.parameters.flatMap((p: any) => p.required ?? []),
    ).not.toContain('postgresPassword');
  });

  it('carries no copy of the sizes, versions or environments: their fields offer what the backend serves', () => {
    for (const [field, choices] of [
      ['size', 'sizes'],
      ['version', 'versions'],
      ['environment', 'environments'],
    ]) {
      expect(properties[field]).toMatchObject({
        type: 'string',
        'ui:field': 'PostgresChoicePicker',
        'ui:options': { choices },
      });
      expect(properties[field].enum).toBeUndefined();
      expect(properties[field].enumNames).toBeUndefined();
    }
    const text = JSON.stringify(template.spec.parameters);
    for (const size of Object.values(DEFAULT_POLICY.sizes)) {
      expect(text).not.toContain(size.resources.limits.cpu);
    }
    // the defaults are offered by the seed's policy
    expect(Object.keys(DEFAULT_POLICY.sizes)).toContain(
      properties.size.default,
    );
    expect(DEFAULT_POLICY.versions).toContain(properties.version.default);
    expect(DEFAULT_POLICY.environments).toContain(
      properties.environment.default,
    );
    // nor of the storage bounds: PostgresStorageField checks them against the policy
    expect(properties.storageGB).toMatchObject({
      type: 'integer',
      'ui:field': 'PostgresStorageField',
    });
    expect(properties.storageGB.minimum).toBeUndefined();
    expect(properties.storageGB.maximum).toBeUndefined();
  });

  it('checks the names as the user types, with the rules the actions run', () => {
    for (const rule of ['name', 'namespace', 'databaseName', 'databaseOwner']) {
      expect(properties[rule]).toMatchObject({
        'ui:field': 'PostgresNameField',
        'ui:options': { rule },
      });
    }
  });

  it('no description has a <placeholder> outside a code span (the form renders Markdown and would drop it)', () => {
    const descriptions = Object.entries(properties).map(
      ([field, p]) => [field, String(p.description ?? '')] as const,
    );
    expect(descriptions.length).toBeGreaterThan(5);
    const bare = descriptions.filter(([, d]) =>
      /<[a-z][^>]*>/i.test(d.replace(/`[^`]*`/g, '')),
    );
    expect(bare).toEqual([]);
  });

  it('chains the two actions, the GitHub pull request and the request registration, in that order', () => {
    expect(template.spec.steps.map((s: any) => s.action)).toEqual([
      'postgres:credentials:write',
      'postgres:manifests:create',
      'publish:github:pull-request',
      'postgres:request:register',
    ]);
    const register = template.spec.steps[3];
    expect(register.input.pullRequestNumber).toBe(
      '${{ steps.pr.output.pullRequestNumber }}',
    );
    expect(register.input.repoUrl).toBe(
      '${{ steps.credentials.output.repoUrl }}',
    );
  });
});

describe('the template keeps the trust boundary', () => {
  it('has no Owner field: the owner is the component’s owner in the catalog', () => {
    expect(properties.owner).toBeUndefined();
    expect(JSON.stringify(template.spec.steps)).not.toContain(
      'parameters.owner',
    );
  });

  it('lists no GitOps host of its own (the allow-list is postgres.gitops.repositories)', () => {
    expect(properties.repoUrl['ui:options']?.allowedHosts).toBeUndefined();
    expect(JSON.stringify(template)).not.toContain('localhost');
  });

  it('passes the GitOps target to both actions, and the pull request goes only to what they checked', () => {
    const [credentials, manifests, pr] = template.spec.steps;
    for (const step of [credentials, manifests]) {
      expect(step.input).toMatchObject({
        repoUrl: '${{ parameters.repoUrl }}',
        baseBranch: '${{ parameters.baseBranch }}',
      });
    }
    expect(pr.input.repoUrl).toBe('${{ steps.credentials.output.repoUrl }}');
    expect(pr.input.targetBranchName).toBe(
      '${{ steps.credentials.output.baseBranch }}',
    );
  });

  it('builds the pull request and the output from validated action outputs only, never from raw parameters', () => {
    const pr = template.spec.steps[2];
    expect(JSON.stringify(pr.input)).not.toContain('parameters.');
    expect(JSON.stringify(template.spec.output)).not.toContain('parameters.');
  });
});

describe('the Review step lists names, not references', () => {
  const read = (name: string) =>
    parse(
      fs.readFileSync(
        path.resolve(__dirname, `../../../../templates/${name}/template.yaml`),
        'utf8',
      ),
    );
  const propertiesOf = (t: any): Record<string, any> =>
    Object.assign({}, ...t.spec.parameters.map((p: any) => p.properties));

  it.each(['new-postgres-db', 'change-postgres-db'])(
    '%s hides the component and the repository URL and names them with PostgresReviewNames',
    name => {
      const props = propertiesOf(read(name));
      for (const raw of ['component', 'repoUrl']) {
        expect([raw, props[raw]['ui:backstage']?.review?.show]).toEqual([
          raw,
          false,
        ]);
      }
      expect(props.reviewNames['ui:field']).toBe('PostgresReviewNames');
      expect(Object.keys(props.reviewNames.properties)).toEqual([
        'service',
        'repository',
      ]);
    },
  );

  it('the Change template names its operations as postgres-common does, and reviews the title', () => {
    const props = propertiesOf(read('change-postgres-db'));
    expect(props.operation.enum).toEqual(
      CHANGE_TEMPLATE_OPERATIONS.map(o => o.operation),
    );
    expect(props.operation['ui:enumNames']).toEqual(
      CHANGE_TEMPLATE_OPERATIONS.map(o => o.title),
    );
    expect(props.operation['ui:backstage'].review.show).toBe(false);
    expect(Object.keys(props.reviewChange.properties)).toEqual(['change']);
  });
});
