/*
 * The API server's own name rules (k8s.io/apimachinery/pkg/util/validation): most objects are
 * named by a DNS-1123 subdomain, namespaces by a DNS-1123 label. These are Kubernetes' rules,
 * not the portal's: the stand-in refuses what a real API server refuses, with its message.
 */

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;
const LABEL_MAX = 63;
const SUBDOMAIN_MAX = 253;

/** apimachinery's IsDNS1123Label and IsDNS1123Subdomain: their messages, none when valid. */
const RULES = {
  label: {
    max: LABEL_MAX,
    pattern: LABEL,
    message: `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${LABEL}')`,
  },
  subdomain: {
    max: SUBDOMAIN_MAX,
    pattern: SUBDOMAIN,
    message: `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${SUBDOMAIN}')`,
  },
};

function check(value: string, rule: keyof typeof RULES): string[] {
  const { max, pattern, message } = RULES[rule];
  const errs: string[] = [];
  if (value.length > max) errs.push(`must be no more than ${max} characters`);
  if (!new RegExp(`^${pattern}$`).test(value)) errs.push(message);
  return errs;
}

/**
 * Why the API server would refuse this `metadata.name` for a kind (`Namespace`: a DNS-1123
 * label; any other kind the stand-in serves: a DNS-1123 subdomain), as the `Invalid` Status's
 * message; undefined when the name is valid.
 */
export function invalidName(kind: string, name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') {
    return `${kind} "" is invalid: metadata.name: Required value: name or generateName is required`;
  }
  const errs = check(name, kind === 'Namespace' ? 'label' : 'subdomain');
  if (!errs.length) return undefined;
  return `${kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": ${errs.join(
    ', ',
  )}`;
}
