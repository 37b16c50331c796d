import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { configApiRef } from '@backstage/core-plugin-api';
import { JsonObject } from '@backstage/types';
import {
  GitopsRepositoryPicker,
  gitopsRepositoryValidation,
} from './GitopsRepositoryPicker';

const repositories = [
  { host: 'github.com', owner: 'acme', repo: 'gitops', baseBranch: 'main' },
  { host: 'ghe.acme.io', owner: 'platform', repo: 'dbs', baseBranch: 'prod' },
];

function config(repos: JsonObject[]) {
  return mockApis.config({
    data: { postgres: { gitops: { repositories: repos } } },
  });
}

async function render(repos: JsonObject[], formData?: string) {
  const onChange = jest.fn();
  await renderInTestApp(
    <TestApiProvider apis={[[configApiRef, config(repos)]]}>
      <GitopsRepositoryPicker
        {...({
          formData,
          onChange,
          schema: {
            title: 'GitOps repository',
            description: 'Where Argo CD reads',
          },
          required: true,
          rawErrors: [],
          idSchema: { $id: 'root_repoUrl' },
          uiSchema: {},
        } as any)}
      />
    </TestApiProvider>,
  );
  return onChange;
}

describe('GitopsRepositoryPicker', () => {
  it('offers the configured repositories and writes a repo URL', async () => {
    const onChange = await render(repositories);
    await userEvent.click(
      screen.getByRole('button', { name: /GitOps repository/ }),
    );
    await userEvent.click(
      await screen.findByRole('option', {
        name: 'ghe.acme.io/platform/dbs (pull requests to prod)',
      }),
    );
    expect(onChange).toHaveBeenLastCalledWith(
      'ghe.acme.io?owner=platform&repo=dbs',
    );
  });

  it('chooses the only repository by itself', async () => {
    const onChange = await render(repositories.slice(0, 1));
    await waitFor(() =>
      expect(onChange).toHaveBeenCalledWith(
        'github.com?owner=acme&repo=gitops',
      ),
    );
  });

  it('says what the platform team must configure when none is', async () => {
    await render([]);
    expect(
      screen.getByText(/must list them in postgres.gitops.repositories/),
    ).toBeInTheDocument();
  });

  it('refuses, before "Create", a target the actions would refuse', () => {
    const errors: string[] = [];
    const validation = { addError: (e: string) => errors.push(e) } as any;
    const context = {
      apiHolder: { get: () => config(repositories) },
      formData: {},
      schema: {},
    } as any;
    gitopsRepositoryValidation(
      'github.com?owner=acme&repo=gitops',
      validation,
      context,
    );
    expect(errors).toEqual([]);
    gitopsRepositoryValidation(
      'github.com?owner=evil&repo=gitops',
      validation,
      context,
    );
    expect(errors).toEqual([
      expect.stringMatching(/may not go to github.com\/evil\/gitops/),
    ]);
  });
});
