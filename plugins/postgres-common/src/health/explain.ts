import type { DatabaseItem } from '../entities';
import type { DatabaseEvent } from './events';
import { STEP_TITLES, StepId, StepStatus, Verdict } from './types';

/**
 * The failing hop of a database and its hint, in one line (the tab's summary); undefined when
 * no hop fails.
 *
 * @public
 */
export function failingSummary(item: DatabaseItem): string | undefined {
  const step = item.health.steps.find(s => s.id === item.health.failingStep);
  if (!step) return undefined;
  return `${STEP_TITLES[step.id]}: ${step.message}${
    step.hint ? ` — ${step.hint}` : ''
  }`;
}

/** Why a database is in its state, in one answer a person or an agent can relay. @public */
export interface DatabaseExplanation {
  /** Which database. */
  database: {
    cluster: string;
    namespace: string;
    name: string;
    entityRef?: string;
  };
  /** The database as a whole. */
  verdict: Verdict;
  /** One line: the failing hop, what is the case and what to do; or that it is healthy. */
  summary: string;
  /** The hop that explains the verdict, in the operators' own words (absent when healthy). */
  failingHop?: {
    id: StepId;
    title: string;
    status: StepStatus;
    /** The operator's reason word. */
    reason: string;
    /** What is the case. */
    message: string;
    /** What to do, when there is something to do. */
    hint?: string;
  };
  /** What to do (the failing hop's hint), when there is something to do. */
  whatToDo?: string;
  /** The failing hop's recent events (at most ten of the last hour; warnings first). */
  events: DatabaseEvent[];
  /** Set when the failing hop's events could not be read. */
  eventsError?: string;
}

/**
 * A database's {@link DatabaseExplanation}, from the same item (and derivation) the tab shows.
 *
 * @public
 */
export function explainDatabase(item: DatabaseItem): DatabaseExplanation {
  const { cluster, namespace, name, entityRef, health } = item;
  const step = health.steps.find(s => s.id === health.failingStep);
  const events = item.events?.step === step?.id ? item.events : undefined;
  return {
    database: { cluster, namespace, name, ...(entityRef ? { entityRef } : {}) },
    verdict: health.verdict,
    summary:
      failingSummary(item) ??
      (health.verdict === 'healthy'
        ? 'Healthy: every hop (ExternalSecret, credentials secret, claim, CNPG cluster, connection secret) is ready.'
        : `${health.verdict}: no single hop explains it.`),
    ...(step
      ? {
          failingHop: {
            id: step.id,
            title: STEP_TITLES[step.id],
            status: step.status,
            reason: step.reason,
            message: step.message,
            ...(step.hint ? { hint: step.hint } : {}),
          },
        }
      : {}),
    ...(step?.hint ? { whatToDo: step.hint } : {}),
    events: events?.items ?? [],
    ...(events?.error ? { eventsError: events.error } : {}),
  };
}
