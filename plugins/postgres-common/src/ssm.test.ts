import { matchPattern } from './patterns';
import { environmentOfParameter, ssmParameterNames } from './ssm';

describe('matchPattern', () => {
  it('reads back what expandPattern wrote, one path segment per placeholder', () => {
    expect(
      matchPattern(
        '/zerotouch/{environment}/{service}/postgres/{key}',
        '/zerotouch/prod/billing/postgres/user',
      ),
    ).toEqual({ environment: 'prod', service: 'billing', key: 'user' });
    expect(matchPattern('/a/{x}/b', '/a/one/two/b')).toBeUndefined();
    // a pattern's other characters are literal, not regular expression
    expect(matchPattern('/a.b/{x}', '/aXb/1')).toBeUndefined();
    expect(matchPattern('/{x}/{x}', '/1/2')).toBeUndefined();
    expect(matchPattern('/{x}/{x}', '/1/1')).toEqual({ x: '1' });
  });
});

describe('environmentOfParameter', () => {
  const request = {
    environment: 'staging',
    service: 'orders',
    namespace: 'orders',
    name: 'orders-db',
  };
  const withName = {
    ssm: {
      pathPattern: '/zerotouch/{environment}/{service}/{name}/postgres/{key}',
    },
  };

  it('reads the environment back through the policy’s pattern', () => {
    expect(
      environmentOfParameter(
        ssmParameterNames(request, withName).user,
        withName,
      ),
    ).toBe('staging');
    expect(environmentOfParameter(ssmParameterNames(request).password)).toBe(
      'staging',
    );
  });

  it('falls back to the shipped pattern for databases made before the policy’s changed', () => {
    expect(
      environmentOfParameter('/zerotouch/prod/billing/postgres/user', withName),
    ).toBe('prod');
  });

  it('gives only a known environment, and nothing for a name of another shape', () => {
    expect(
      environmentOfParameter('/zerotouch/qa-42/billing/postgres/user'),
    ).toBeUndefined();
    expect(environmentOfParameter('/elsewhere/billing/user')).toBeUndefined();
  });
});
