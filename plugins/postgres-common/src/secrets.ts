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
