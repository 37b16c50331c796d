/*
 * The API server's own name rules (k8s.io/apimachinery/pkg/util/validation): most objects are
 * named by a DNS-1123 subdomain, namespaces by a DNS-1123 label. These are Kubernetes' rules,
 * not the portal's: the stand-in refuses what a real API server refuses, with its message.
 */

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;
const LABEL_MAX = 63;
const SUBDOMAIN_MAX = 253;

function checkLabel(value: string): string[] {
  const errs: string[] = [];
  if (value.length > LABEL_MAX)
    errs.push(`must be no more than ${LABEL_MAX} characters`);
  if (!new RegExp(`^${LABEL}$`).test(value)) {
    errs.push(
      `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${LABEL}')`,
    );
  }
  return errs;
}

function checkSubdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > SUBDOMAIN_MAX)
    errs.push(`must be no more than ${SUBDOMAIN_MAX} characters`);
  if (!new RegExp(`^${SUBDOMAIN}$`).test(value)) {
    errs.push(
      `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${SUBDOMAIN}')`,
    );
  }
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
  const errs = kind === 'Namespace' ? checkLabel(name) : checkSubdomain(name);
  if (!errs.length) return undefined;
  return `${kind} "${name}" is invalid: metadata.name: Invalid value: "${name}": ${errs.join(
    ', ',
  )}`;
}
