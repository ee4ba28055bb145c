// Constant tables looked up by names that come from files or from the user (a dtype, a pickle
// global, a filter word): with no prototype, `constructor` or `__proto__` is simply not there,
// for `table[name]` and `name in table` alike.

export function lookupTable<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}
