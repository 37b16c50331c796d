/*
 * The fleet's filters: what the fleet page offers and the agents' list-databases action takes,
 * one rule for both.
 */
import type { DatabaseItem } from './entities';
import type { DatabaseRequestStatus } from './requests';
import type { Verdict } from './health/types';
import { RECOVERABILITY_LABELS } from './health/recoverability';

/** The verdicts in the order the page counts them. @public */
export const VERDICTS: Verdict[] = [
  'healthy',
  'progressing',
  'degraded',
  'failed',
  'unknown',
];

/** The fleet's filters; an absent field filters nothing. @public */
export interface FleetFilters {
  /** Only databases with this verdict. */
  verdict?: Verdict;
  /** Only this Kubernetes cluster. */
  cluster?: string;
  /** Only this namespace. */
  namespace?: string;
  /** Only this owner (a group ref). */
  owner?: string;
  /** Only this PostgreSQL major version. */
  version?: string;
  /** Only databases whose recoverability reads this (a {@link RECOVERABILITY_LABELS} value). */
  recoverability?: string;
  /** Free text, matched (any case) against name, cluster, namespace, entity, owner and database. */
  text?: string;
}

/** The fields a select filter offers, and how an item's value of each is read. @public */
export const FACETS = {
  cluster: (i: DatabaseItem) => i.cluster,
  namespace: (i: DatabaseItem) => i.namespace,
  owner: (i: DatabaseItem) => i.owner,
  version: (i: DatabaseItem) => i.spec.version,
  recoverability: (i: DatabaseItem) =>
    i.recoverability
      ? RECOVERABILITY_LABELS[i.recoverability.state]
      : undefined,
} satisfies Record<string, (i: DatabaseItem) => string | undefined>;

/** A select filter. @public */
export type Facet = keyof typeof FACETS;

const lower = (s: string) => s.toLocaleLowerCase('en-US');

function searchText(i: DatabaseItem): string {
  return lower(
    [
      i.name,
      i.cluster,
      i.namespace,
      i.entityRef,
      i.owner,
      i.spec.databaseName,
      i.spec.databaseOwner,
    ]
      .filter(Boolean)
      .join(' '),
  );
}

/**
 * A predicate for `filters` without the verdict (counts per verdict are of the items that pass
 * every other filter). Built once per filter change; searched text is cached per item.
 */
function matcher(
  filters: FleetFilters,
  texts: WeakMap<DatabaseItem, string>,
): (i: DatabaseItem) => boolean {
  const needle = filters.text?.trim() ? lower(filters.text.trim()) : undefined;
  const facets = (Object.keys(FACETS) as Facet[]).filter(
    f => filters[f] !== undefined,
  );
  return item => {
    for (const f of facets) if (FACETS[f](item) !== filters[f]) return false;
    if (needle) {
      let text = texts.get(item);
      if (text === undefined) {
        text = searchText(item);
        texts.set(item, text);
      }
      if (!text.includes(needle)) return false;
    }
    return true;
  };
}

/**
 * What the page shows for `filters`: the rows, and the count per verdict of every other filter's
 * rows.
 *
 * @public
 */
export function applyFleetFilters(
  items: DatabaseItem[],
  filters: FleetFilters,
  texts: WeakMap<DatabaseItem, string> = new WeakMap(),
): { rows: DatabaseItem[]; counts: Record<Verdict, number> } {
  const counts = Object.fromEntries(VERDICTS.map(v => [v, 0])) as Record<
    Verdict,
    number
  >;
  const matches = matcher(filters, texts);
  const rows: DatabaseItem[] = [];
  for (const item of items) {
    if (!matches(item)) continue;
    counts[item.health.verdict] += 1;
    if (!filters.verdict || item.health.verdict === filters.verdict)
      rows.push(item);
  }
  return { rows, counts };
}

/**
 * The select filters an open request can meet, and how its value is read: a request has a
 * namespace (its claim's) but no cluster, owner, version or verdict until its claim is read.
 */
const REQUEST_FACETS: Partial<
  Record<Facet, (r: DatabaseRequestStatus) => string | undefined>
> = {
  namespace: r => r.namespace,
};

/**
 * The values a select filter offers: every value in the fleet and its open requests (a
 * namespace that has only requests yet can be chosen too), sorted.
 *
 * @public
 */
export function facetValues(
  items: DatabaseItem[],
  facet: Facet,
  requests: DatabaseRequestStatus[] = [],
): string[] {
  const values = new Set<string>();
  for (const item of items) {
    const v = FACETS[facet](item);
    if (v !== undefined) values.add(v);
  }
  const ofRequest = REQUEST_FACETS[facet];
  if (ofRequest) {
    for (const request of requests) {
      const v = ofRequest(request);
      if (v !== undefined) values.add(v);
    }
  }
  return [...values].sort((a, b) =>
    a.localeCompare(b, undefined, { numeric: true }),
  );
}

/**
 * The open requests the page shows for `filters`: the select filters a request can meet (its
 * namespace) and the text (name, namespace, entity, who asked) apply as to databases; a request
 * has no cluster, owner, version or verdict yet, so any of those filters hides them all.
 *
 * @public
 */
export function applyRequestFilters(
  requests: DatabaseRequestStatus[],
  filters: FleetFilters,
): DatabaseRequestStatus[] {
  if (filters.verdict) return [];
  const facets = (Object.keys(FACETS) as Facet[]).filter(
    f => filters[f] !== undefined,
  );
  const needle = filters.text?.trim() ? lower(filters.text.trim()) : undefined;
  return requests.filter(
    r =>
      facets.every(f => REQUEST_FACETS[f]?.(r) === filters[f]) &&
      (!needle ||
        lower(
          [r.name, r.namespace, r.entityRef, r.requestedBy]
            .filter(Boolean)
            .join(' '),
        ).includes(needle)),
  );
}
