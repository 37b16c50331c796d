import { useEffect, useMemo } from 'react';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import {
  FieldExtensionComponentProps,
  CustomFieldValidator,
} from '@backstage/plugin-scaffolder-react';
import { MenuItem, TextField } from '@material-ui/core';
import {
  checkGitopsTarget,
  gitopsRepoUrl,
  GitopsRepository,
  readPostgresPolicy,
} from '@bizmatters/plugin-postgres-common';

/** The allowed GitOps repositories, from app-config `postgres.gitops.repositories`. */
function useGitopsRepositories(): GitopsRepository[] {
  const config = useApi(configApiRef);
  return useMemo(
    () => readPostgresPolicy(config).gitops.repositories,
    [config],
  );
}

/**
 * A scaffolder field offering the GitOps repositories the platform team allows (app-config
 * `postgres.gitops.repositories`, the same list the actions enforce); its value is the
 * repository's repo URL (`host?owner=…&repo=…`), as `RepoUrlPicker` writes it. One repository
 * is chosen by itself.
 */
export function GitopsRepositoryPicker(
  props: FieldExtensionComponentProps<string>,
) {
  const { formData, onChange, schema, required, rawErrors, idSchema } = props;
  const repositories = useGitopsRepositories();
  useEffect(() => {
    if (!formData && repositories.length === 1) {
      onChange(gitopsRepoUrl(repositories[0]));
    }
  }, [formData, repositories, onChange]);
  const none = repositories.length === 0;
  return (
    <TextField
      id={idSchema?.$id}
      select
      fullWidth
      margin="normal"
      variant="outlined"
      label={schema.title ?? 'GitOps repository'}
      required={required}
      value={formData ?? ''}
      onChange={e => onChange(e.target.value as string)}
      error={none || (rawErrors?.length ?? 0) > 0}
      disabled={none}
      helperText={
        none
          ? 'No GitOps repository is configured: the platform team must list them in postgres.gitops.repositories.'
          : schema.description
      }
      SelectProps={{ 'aria-label': schema.title ?? 'GitOps repository' }}
    >
      {repositories.map(r => (
        <MenuItem key={gitopsRepoUrl(r)} value={gitopsRepoUrl(r)}>
          {`${r.host}/${r.owner}/${r.repo} (pull requests to ${r.baseBranch})`}
        </MenuItem>
      ))}
    </TextField>
  );
}

/** The same check the actions make, before "Create". */
export const gitopsRepositoryValidation: CustomFieldValidator<string> = (
  value,
  validation,
  context,
) => {
  const config = context.apiHolder.get(configApiRef);
  if (!config || !value) return;
  const problem = checkGitopsTarget(
    { repoUrl: value },
    readPostgresPolicy(config).gitops.repositories,
  );
  if (problem) validation.addError(problem);
};
