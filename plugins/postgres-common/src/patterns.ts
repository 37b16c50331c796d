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
