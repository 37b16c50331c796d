import {
  claimSecretsFromList,
  DATABASE_SECRET_LABEL,
  summarizeLabelledSecrets,
} from './secrets';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('summarizeLabelledSecrets', () => {
  it('summarizes labelled Secrets and drops any other unread', () => {
    const out = summarizeLabelledSecrets([
      {
        metadata: {
          name: 'orders-db-credentials',
          namespace: 'apps',
          labels: { [DATABASE_SECRET_LABEL]: 'orders-db' },
        },
        type: 'kubernetes.io/basic-auth',
        data: { username: b64('orders'), password: b64('s3cret-value') },
      },
      // an API server that ignored the selector sent another application's Secret
      { metadata: { name: 'other' }, data: { password: b64('other-pw') } },
      {
        metadata: { name: 'empty', labels: { [DATABASE_SECRET_LABEL]: '' } },
        data: { password: b64('x') },
      },
    ]);
    expect(out).toEqual([
      {
        namespace: 'apps',
        instance: 'orders-db',
        summary: {
          name: 'orders-db-credentials',
          type: 'kubernetes.io/basic-auth',
          keys: ['password', 'username'],
          username: 'orders',
        },
      },
    ]);
    expect(JSON.stringify(out)).not.toContain(b64('s3cret-value'));
  });
});

describe('claimSecretsFromList', () => {
  const names = {
    credentialsSecretName: 'orders-db-credentials',
    connectionSecretName: 'orders-postgres',
  };
  const summary = (name: string) => ({ name, keys: ['password'] });

  it("takes the Secrets with the claim's names whose label names the claim", () => {
    expect(
      claimSecretsFromList('orders-db', names, [
        {
          namespace: 'apps',
          instance: 'orders-db',
          summary: summary('orders-db-credentials'),
        },
        {
          namespace: 'apps',
          instance: 'orders-db',
          summary: summary('orders-postgres'),
        },
      ]),
    ).toEqual({
      credentialsSecret: summary('orders-db-credentials'),
      connectionSecret: summary('orders-postgres'),
    });
  });

  it('leaves out a Secret whose label names another claim, and one with another name', () => {
    expect(
      claimSecretsFromList('orders-db', names, [
        {
          namespace: 'apps',
          instance: 'billing-db',
          summary: summary('orders-db-credentials'),
        },
        {
          namespace: 'apps',
          instance: 'orders-db',
          summary: summary('orders-extra'),
        },
      ]),
    ).toEqual({});
  });
});
