// Secrets (passwords given to the stack or the app, generated ones too) are registered once and replaced
// by "***" in everything drill writes: logs, result.json, report.html, junit.xml, the embedded drill file.
// Redaction works on the final text, so a secret cannot slip out through an error message or a nested field.

const MASK = '***';
const secrets = new Set<string>();

/** Register a secret value. Very short values are refused: masking "a" would shred every text. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= 4) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

/** A deep copy of a JSON-serialisable value with every secret masked. */
export function redactDeep<T>(value: T): T {
  return secrets.size === 0 ? value : (JSON.parse(redact(JSON.stringify(value))) as T);
}
