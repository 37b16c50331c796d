import { buildContext } from './context';
import { externalSecretStep } from './externalSecret';
import { credentialsSecretStep } from './credentialsSecret';
import { claimStep } from './claim';
import { clusterStep } from './cluster';
import { connectionSecretStep } from './connectionSecret';
import { SEVERITY_RANK, STATUS_OF, VERDICT_OF } from './states';
import type {
  DatabaseHealth,
  DatabaseObjects,
  Finding,
  HealthOptions,
  Severity,
  Step,
  StepId,
} from './types';

/**
 * The health of one database from what was read of it: a verdict and one step per hop
 * (ExternalSecret → credentials secret → claim → CNPG cluster → connection secret).
 *
 * Sees through the traps: a claim Ready while CNPG is still setting up; CNPG healthy while the
 * secret's username differs from the owner; a credentials secret that is not basic-auth or
 * lacks a key; a connection secret without its five keys; fewer ready instances than desired;
 * a cluster hibernated, suspended or failing over; changes not applied yet. What each state
 * means is one table (health/states.ts, documented in the README).
 *
 * The verdict is that of the most serious step; `failingStep` is the first step (in flow order)
 * with that seriousness, i.e. the furthest-upstream cause.
 *
 * @public
 */
export function deriveDatabaseHealth(
  objects: DatabaseObjects,
  options: HealthOptions = {},
): DatabaseHealth {
  const ctx = buildContext(objects, options);
  const findings: Array<[StepId, Finding]> = [];
  const es = externalSecretStep(ctx);
  findings.push(['externalSecret', es]);
  findings.push([
    'credentialsSecret',
    credentialsSecretStep(ctx, es.severity === 'ok'),
  ]);
  const claim = claimStep(ctx);
  findings.push(['claim', claim]);
  findings.push(['cluster', clusterStep(ctx, claim.severity === 'ok')]);
  const upstreamOk = findings.every(([, f]) => f.severity === 'ok');
  findings.push(['connectionSecret', connectionSecretStep(ctx, upstreamOk)]);

  let worst: Severity = 'ok';
  let failingStep: StepId | undefined;
  for (const [id, f] of findings) {
    if (SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst]) {
      worst = f.severity;
      failingStep = id;
    }
  }
  const steps = findings.map(([id, f]) => {
    const step: Step = {
      id,
      status: STATUS_OF[f.severity],
      reason: f.reason,
      message: f.message,
    };
    if (f.hint) step.hint = f.hint;
    return step;
  });
  const health: DatabaseHealth = { verdict: VERDICT_OF[worst], steps };
  if (failingStep) health.failingStep = failingStep;
  return health;
}
