import { useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { Link } from '@backstage/core-components';
import { FormHelperText } from '@material-ui/core';
import {
  AVAILABILITY_QUERY_FIELDS,
  AvailabilityCheck,
  availabilityBlocks,
  AvailabilityQuery,
  checkRequestField,
  DatabaseAvailability,
} from '@bizmatters/plugin-postgres-common';
import { PostgresApi, postgresApiRef } from '../api/PostgresApi';

/** The fields whose availability a `PostgresNameField` can show (`ui:options.checkAvailability`). */
export type AvailabilityField = 'name' | 'connectionSecretName';

/** How long the form waits after the last keystroke before it asks. */
export const AVAILABILITY_DEBOUNCE_MS = 400;

/** An answer is reused this long for the same question (the two fields ask the same one). */
const REUSE_MS = 2000;

/** The names of the query that the shared rules check on their own. */
const CHECKED_NAMES = [
  'namespace',
  'name',
  'databaseOwner',
  'connectionSecretName',
] as const;

/**
 * The availability question for the form's values so far: undefined until the service, the
 * namespace and the environment are known, and while a name breaks the rules (its own field
 * says so; the route would only refuse it).
 */
export function availabilityQuery(
  formData: Record<string, unknown> | undefined,
): AvailabilityQuery | undefined {
  const text = (key: string) => {
    const value = formData?.[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const query: Partial<Record<keyof AvailabilityQuery, string>> = {};
  for (const key of AVAILABILITY_QUERY_FIELDS) {
    const value = text(key);
    if (value !== undefined) query[key] = value;
  }
  if (!query.component || !query.namespace || !query.environment) {
    return undefined;
  }
  if (CHECKED_NAMES.some(key => checkRequestField(key, query[key]))) {
    return undefined;
  }
  return query as AvailabilityQuery;
}

const recent = new WeakMap<
  PostgresApi,
  Map<string, { at: number; answer: Promise<DatabaseAvailability> }>
>();

/** One request for the same question asked twice within {@link REUSE_MS} (both fields, "Next"). */
export function askAvailability(
  api: PostgresApi,
  query: AvailabilityQuery,
): Promise<DatabaseAvailability> {
  let answers = recent.get(api);
  if (!answers) {
    answers = new Map();
    recent.set(api, answers);
  }
  const key = JSON.stringify(query);
  const now = Date.now();
  for (const [k, v] of answers) if (now - v.at > REUSE_MS) answers.delete(k);
  const known = answers.get(key);
  if (known) return known.answer;
  const answer = api.checkAvailability(query);
  answers.set(key, { at: now, answer });
  // a failed question is asked again next time
  answer.catch(() => answers!.delete(key));
  return answer;
}

/** What the form knows about a question: still asking, the answer, or why there is none. */
export type AvailabilityState =
  | { status: 'asking' }
  | { status: 'answered'; answer: DatabaseAvailability }
  | { status: 'failed'; error: Error & { statusCode?: number } };

/** The answer to `query`, asked {@link AVAILABILITY_DEBOUNCE_MS} after it last changed. */
export function useAvailability(
  query: AvailabilityQuery | undefined,
): AvailabilityState | undefined {
  const api = useApi(postgresApiRef);
  const key = query ? JSON.stringify(query) : undefined;
  const [state, setState] = useState<
    { key: string; state: AvailabilityState } | undefined
  >();
  // bumped to ask the same question again once a pause (429) is over
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!key) return undefined;
    let current = true;
    let again: ReturnType<typeof setTimeout> | undefined;
    const timer = setTimeout(() => {
      askAvailability(api, JSON.parse(key)).then(
        answer =>
          current && setState({ key, state: { status: 'answered', answer } }),
        error => {
          if (!current) return;
          setState({ key, state: { status: 'failed', error } });
          const pause = pausedForSeconds(error);
          if (pause !== undefined) {
            again = setTimeout(() => setAttempt(n => n + 1), pause * 1000);
          }
        },
      );
    }, AVAILABILITY_DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
      if (again) clearTimeout(again);
    };
  }, [api, key, attempt]);
  if (!key) return undefined;
  return state?.key === key ? state.state : { status: 'asking' };
}

/**
 * The seconds until checking may go on when the route paused this user's checks (429, its
 * `Retry-After`); undefined for any other failure.
 */
export function pausedForSeconds(error: {
  statusCode?: number;
  response?: { headers?: { get(name: string): string | null } };
}): number | undefined {
  if (error.statusCode !== 429) return undefined;
  const header = Number(error.response?.headers?.get('retry-after'));
  return Number.isFinite(header) && header > 0 ? header : 60;
}

/** A refusal of the route that the task would meet too: the user may not create this database. */
export function isRefusal(error: { statusCode?: number }): boolean {
  return error.statusCode === 403;
}

/** The check of a field's own name (a free one names no field). */
const FIELD_SUBJECT: Record<Exclude<AvailabilityField, 'name'>, string> = {
  connectionSecretName: 'connectionSecret',
};

/** The checks a field answers for: all of them for the claim name, its own for another field. */
function checksOf(
  answer: DatabaseAvailability,
  field: AvailabilityField,
): AvailabilityCheck[] {
  return field === 'name'
    ? answer.checks
    : answer.checks.filter(
        c => c.field === field || c.subject === FIELD_SUBJECT[field],
      );
}

/**
 * The messages that stop "Next" at a field: for the claim name, a verdict that blocks
 * (`taken`, `exists`); for another field, its own checks that are taken or exist.
 */
export function blockingMessages(
  answer: DatabaseAvailability,
  field: AvailabilityField,
): string[] {
  if (field === 'name') {
    return availabilityBlocks(answer.verdict) ? [answer.message] : [];
  }
  return checksOf(answer, field).filter(blocks).map(checkMessage);
}

function blocks(check: AvailabilityCheck): boolean {
  return check.state === 'taken' || check.state === 'exists';
}

function checkMessage(check: AvailabilityCheck): string {
  return check.message ?? `${check.name} is ${check.state}.`;
}

/** A blocking message, unless "Next" already shows it under the field (then only its link). */
function unlessShown(message: string, shown: string[] | undefined) {
  return shown?.includes(message) ? null : message;
}

/** Whether the answer stops "Next" at this field. */
export function blocksField(
  state: AvailabilityState | undefined,
  field: AvailabilityField,
): boolean {
  if (state?.status === 'failed') return isRefusal(state.error);
  return (
    state?.status === 'answered' &&
    blockingMessages(state.answer, field).length > 0
  );
}

const UNKNOWN_TAIL = 'The task checks again when it runs.';

/** One line of the answer, as the field shows it. */
function Line({
  error,
  children,
  testId,
}: {
  error?: boolean;
  children: React.ReactNode;
  testId?: string;
}) {
  return (
    // "outlined": the margins of the outlined field's own helper text, so the lines align
    // error set either way: not the colour of the form's own errors around the field
    <FormHelperText variant="outlined" error={!!error} data-testid={testId}>
      {children}
    </FormHelperText>
  );
}

/** The answer for the whole request, under the claim name. */
function VerdictLines({
  answer,
  shown,
}: {
  answer: DatabaseAvailability;
  shown?: string[];
}) {
  switch (answer.verdict) {
    case 'free':
      return <Line>Available.</Line>;
    case 'retry':
      return (
        <>
          <Line>
            An earlier run of this request can be finished: "Create" runs it
            again and reuses what it wrote.
          </Line>
          <Line>
            {answer.message}{' '}
            {answer.url && <Link to={answer.url}>Open it</Link>}
          </Line>
        </>
      );
    case 'exists':
      return (
        <Line error>
          {unlessShown(answer.message, shown)}{' '}
          {answer.url && (
            <Link to={answer.url}>Open the existing database</Link>
          )}
        </Line>
      );
    case 'taken': {
      const message = unlessShown(answer.message, shown);
      return message ? <Line error>{message}</Line> : null;
    }
    default:
      return (
        <Line>
          Not everything could be checked now: {answer.message} {UNKNOWN_TAIL}
        </Line>
      );
  }
}

/** The checks of one field other than the claim name (the connection secret). */
function FieldCheckLines({
  checks,
  shown,
}: {
  checks: AvailabilityCheck[];
  shown?: string[];
}) {
  if (checks.length === 0) return null;
  if (checks.every(c => c.state === 'free')) return <Line>Available.</Line>;
  return (
    <>
      {checks
        .filter(c => c.state !== 'free')
        .map(c => (
          <Line key={`${c.subject}:${c.name}`} error={blocks(c)}>
            {blocks(c) ? unlessShown(checkMessage(c), shown) : checkMessage(c)}
            {c.state === 'ours' &&
              ' It was written by an earlier run of this request: "Create" reuses it.'}
            {c.state === 'unknown' && ` ${UNKNOWN_TAIL}`}{' '}
            {c.url && c.state === 'exists' && <Link to={c.url}>Open it</Link>}
          </Line>
        ))}
    </>
  );
}

const SSM_STATE: Record<AvailabilityCheck['state'], string> = {
  free: 'free',
  ours: 'written by an earlier run of this request',
  exists: "this database's",
  taken: 'used by something else',
  unknown: 'not checked',
};

/**
 * The SSM parameters the request will write, with what each one's name holds now (what to do
 * about one that is taken is the check's message, said above).
 */
function SsmLines({ answer }: { answer: DatabaseAvailability }) {
  const ssm = answer.checks.filter(c => c.subject === 'ssm');
  if (ssm.length === 0) return null;
  // the database exists: these are its credentials, nothing to qualify
  const exists = answer.verdict === 'exists';
  return (
    <Line testId="ssm-parameters">
      {exists
        ? 'Its credentials are in AWS SSM: '
        : 'Credentials go to AWS SSM: '}
      {ssm.map((c, i) => (
        <span key={c.name}>
          {i > 0 && ', '}
          <code>{c.name}</code>
          {!exists && c.state !== 'free' && ` (${SSM_STATE[c.state]})`}
        </span>
      ))}
      .
    </Line>
  );
}

/**
 * The availability lines under a field: while asking, the answer, or why there is none.
 * Under the claim name also the SSM parameters the request writes.
 */
export function AvailabilityLines({
  state,
  field,
  shownErrors,
}: {
  state: AvailabilityState | undefined;
  field: AvailabilityField;
  /** The errors "Next" shows under the field already (not repeated). */
  shownErrors?: string[];
}) {
  if (!state) return null;
  let lines: React.ReactNode;
  if (state.status === 'asking') {
    lines = <Line>Checking whether the names are free…</Line>;
  } else if (
    state.status === 'failed' &&
    pausedForSeconds(state.error) !== undefined
  ) {
    lines = (
      <Line>
        Checking paused: too many checks in a minute; checking again in{' '}
        {pausedForSeconds(state.error)} s. Nothing is wrong with the names.
      </Line>
    );
  } else if (state.status === 'failed') {
    lines = isRefusal(state.error) ? (
      <Line error>{unlessShown(causeMessage(state.error), shownErrors)}</Line>
    ) : (
      <Line>
        Availability could not be checked ({causeMessage(state.error)}).{' '}
        {UNKNOWN_TAIL}
      </Line>
    );
  } else if (field === 'name') {
    lines = (
      <>
        <VerdictLines answer={state.answer} shown={shownErrors} />
        <SsmLines answer={state.answer} />
      </>
    );
  } else if (state.answer.verdict === 'exists') {
    // the request is a database that exists: its own names are not "available"
    lines = null;
  } else {
    lines = (
      <FieldCheckLines
        checks={checksOf(state.answer, field)}
        shown={shownErrors}
      />
    );
  }
  return (
    <div role="status" aria-label={`Availability of ${field}`}>
      {lines}
    </div>
  );
}

/** The server's own message of a ResponseError (its `cause`), else the error's. */
export function causeMessage(error: Error & { cause?: unknown }): string {
  const cause = error.cause as { message?: unknown } | undefined;
  return typeof cause?.message === 'string' ? cause.message : error.message;
}
