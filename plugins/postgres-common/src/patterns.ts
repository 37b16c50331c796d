/**
 * Expands `{placeholder}` patterns. Unknown placeholders are left as they are, so that a
 * misconfigured pattern is visible in the result and rejected by the name rules.
 */
export function expandPattern(
  pattern: string,
  values: Record<string, string>,
): string {
  return pattern.replace(/\{([a-zA-Z]+)\}/g, (whole, key: string) =>
    Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole,
  );
}

/**
 * The values `pattern`'s placeholders take in `value`, when `value` is what the pattern
 * expands to (a placeholder matches one or more characters other than `/`); undefined
 * otherwise. The reverse of {@link expandPattern}.
 */
export function matchPattern(
  pattern: string,
  value: string,
): Record<string, string> | undefined {
  const keys: string[] = [];
  const source = pattern
    .split(/(\{[a-zA-Z]+\})/)
    .map(part => {
      const key = /^\{([a-zA-Z]+)\}$/.exec(part)?.[1];
      if (!key) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (keys.includes(key)) {
        return `\\k<${key}>`;
      }
      keys.push(key);
      return `(?<${key}>[^/]+)`;
    })
    .join('');
  const match = new RegExp(`^${source}$`).exec(value);
  return match ? { ...match.groups } : undefined;
}
