/**
 * What may be known of a Secret outside the process that read it: its name, type, key names and
 * the username (needed to compare with the database owner). Never a password.
 *
 * @public
 */
export interface SecretSummary {
  /** The Secret's name. */
  name: string;
  /** The Secret's type, e.g. `kubernetes.io/basic-auth`. */
  type?: string;
  /** The names of its keys (never the values). */
  keys: string[];
  /** The username it holds, when it has one. */
  username?: string;
}

/** Keys that hold a username, in order of preference. */
const USERNAME_KEYS = ['username', 'user', 'POSTGRES_USER'];

function decodeBase64(value: string): string | undefined {
  try {
    const binary = atob(value);
    const bytes = Uint8Array.from(binary, c => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Reduces a Secret as read from Kubernetes to a {@link SecretSummary}. Only the username is
 * decoded; no other value is copied, so the summary can be cached, logged and sent.
 *
 * @public
 */
export function summarizeSecret(secret: {
  metadata?: { name?: string };
  type?: string;
  data?: Record<string, string> | null;
  stringData?: Record<string, string> | null;
}): SecretSummary {
  const data = secret.data ?? {};
  const stringData = secret.stringData ?? {};
  const keys = Array.from(
    new Set([...Object.keys(data), ...Object.keys(stringData)]),
  ).sort();
  let username: string | undefined;
  for (const key of USERNAME_KEYS) {
    if (typeof stringData[key] === 'string') {
      username = stringData[key];
    } else if (typeof data[key] === 'string') {
      username = decodeBase64(data[key]);
    }
    if (username !== undefined) break;
  }
  const summary: SecretSummary = { name: secret.metadata?.name ?? '', keys };
  if (secret.type !== undefined) summary.type = secret.type;
  if (username !== undefined) summary.username = username;
  return summary;
}

/**
 * The label that marks a Secret as one of a database's own; its value is the claim's name. The
 * ExternalSecret the template renders asks External Secrets to put it on the credentials secret
 * (`spec.target.template.metadata.labels`); a platform may put it on the connection secret. The
 * fleet view lists a namespace's Secrets by this label only, so no other Secret is read.
 *
 * @public
 */
export const DATABASE_SECRET_LABEL = 'bizmatters.io/postgres-instance';

/**
 * A Secret of a label-selected list, reduced at once: its summary and the claim its
 * {@link DATABASE_SECRET_LABEL} names.
 *
 * @public
 */
export interface LabelledSecretSummary {
  /** The Secret's namespace. */
  namespace: string;
  /** The claim the Secret says it belongs to (the label's value). */
  instance: string;
  /** What may be known of it (never a value but the username). */
  summary: SecretSummary;
}

/**
 * Reduces the items of a Secret LIST selected by {@link DATABASE_SECRET_LABEL} to summaries.
 * An item without the label (an API server or proxy that ignored the selector) is dropped
 * without being summarized.
 *
 * @public
 */
export function summarizeLabelledSecrets(
  items: ReadonlyArray<{
    metadata?: {
      name?: string;
      namespace?: string;
      labels?: Record<string, string> | null;
    };
    type?: string;
    data?: Record<string, string> | null;
    stringData?: Record<string, string> | null;
  }>,
): LabelledSecretSummary[] {
  const out: LabelledSecretSummary[] = [];
  for (const item of items) {
    const instance = item.metadata?.labels?.[DATABASE_SECRET_LABEL];
    if (typeof instance !== 'string' || !instance) continue;
    out.push({
      namespace: item.metadata?.namespace ?? '',
      instance,
      summary: summarizeSecret(item),
    });
  }
  return out;
}

/**
 * The secrets of one claim found in a labelled list of its namespace: a Secret counts only when
 * it has the name the claim gives it (`credentialsSecretName`, `connectionSecretName`) and its
 * label names this claim. A secret not found this way (made before the label, by a platform
 * that does not write it, or absent) is left undefined: read it by name.
 *
 * @public
 */
export function claimSecretsFromList(
  claimName: string,
  names: { credentialsSecretName: string; connectionSecretName: string },
  list: Iterable<LabelledSecretSummary>,
): { credentialsSecret?: SecretSummary; connectionSecret?: SecretSummary } {
  const out: {
    credentialsSecret?: SecretSummary;
    connectionSecret?: SecretSummary;
  } = {};
  for (const { instance, summary } of list) {
    if (instance !== claimName) continue;
    if (summary.name === names.credentialsSecretName)
      out.credentialsSecret = summary;
    else if (summary.name === names.connectionSecretName)
      out.connectionSecret = summary;
  }
  return out;
}
