/** The end of an exhaustive switch: a case left out is a compile error, and a value from outside the types a loud runtime one. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
