import { expandPattern, matchPattern } from './patterns';
import { checkSsmParameterName } from './names';
import { DatabaseRequest } from './request';
import { DEFAULT_POLICY, PostgresPolicyInput, resolvePolicy } from './policy';
import { componentNamespace } from './identity';

/**
 * The names of the two SSM parameters that hold a database's credentials.
 *
 * @public
 */
export interface SsmParameterNames {
  /** The parameter that holds the username. */
  user: string;
  /** The parameter that holds the password. */
  password: string;
}

/**
 * The SSM parameter names for a request, from the policy's pattern
 * (default `/zerotouch/{environment}/{service}/postgres/{key}`); `{entityNamespace}` is the
 * owning component's catalog namespace (`default` when no component is named).
 *
 * @public
 */
export function ssmParameterNames(
  request: Pick<
    DatabaseRequest,
    'environment' | 'service' | 'namespace' | 'name' | 'component'
  >,
  policy?: PostgresPolicyInput,
): SsmParameterNames {
  const { pathPattern } = resolvePolicy(policy).ssm;
  const values = {
    environment: request.environment,
    service: request.service,
    namespace: request.namespace,
    name: request.name,
    entityNamespace: componentNamespace(request.component),
  };
  return {
    user: expandPattern(pathPattern, { ...values, key: 'user' }),
    password: expandPattern(pathPattern, { ...values, key: 'password' }),
  };
}

/**
 * The environment an SSM parameter's name says it belongs to, read back through the policy's
 * pattern (`{environment}` of `/zerotouch/{environment}/{service}/postgres/{key}`), else through
 * the shipped default pattern (databases made before the policy's pattern changed); undefined
 * when the name follows neither or they have no `{environment}`. Only a known environment
 * (`postgres.environments`) is given.
 *
 * @public
 */
export function environmentOfParameter(
  parameterName: string,
  policy?: PostgresPolicyInput,
): string | undefined {
  const resolved = resolvePolicy(policy);
  const environment = [resolved.ssm.pathPattern, DEFAULT_POLICY.ssm.pathPattern]
    .map(pattern => matchPattern(pattern, parameterName)?.environment)
    .find(e => e !== undefined);
  return environment !== undefined &&
    resolved.environments.includes(environment)
    ? environment
    : undefined;
}

/**
 * Checks an SSM parameter name against AWS's rules; a message, or undefined when valid.
 */
export function validateSsmParameterName(name: string): string | undefined {
  return checkSsmParameterName(name);
}
