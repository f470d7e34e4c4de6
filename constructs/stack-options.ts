/** A classroom's stack options: `true` is every default. Internal: not exported from the package. */
export function optionsOf<T extends object>(value: T | true): T | Record<string, never> {
  return value === true ? {} : value;
}
