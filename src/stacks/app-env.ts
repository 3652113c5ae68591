// The fixture app's settings come from the stack (backend, addresses, passwords). A runner started with
// DRILL_APP_<NAME>=value passes <NAME>=value to every app it starts as well (SERVE_LOG=1 for the served-write
// log of bench/precision, COMMAND_TIMEOUT_MS, ...): a hook for benchmarks and tests that leaves drill files
// and normal runs untouched. The stack's own settings win over a forwarded one of the same name.

const PREFIX = 'DRILL_APP_';

/** `<NAME>: value` for each DRILL_APP_<NAME> in env (names of capitals, digits and underscores only). */
export function forwardedAppEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || !key.startsWith(PREFIX)) continue;
    const name = key.slice(PREFIX.length);
    if (/^[A-Z][A-Z0-9_]*$/.test(name)) out[name] = value;
  }
  return out;
}
