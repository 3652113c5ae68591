// HTML escaping for the report. Everything from outside (drill name and description, container names,
// event messages, error strings, even numbers read back from a result.json) goes through here.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values (also inside inline SVG). */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Markup that is already safe: produced by `html` below, never from outside text. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(value);
}

/**
 * Tagged template that escapes every interpolated value unless it is SafeHtml (the result of another `html`).
 * Escaping is the default, so forgetting it is not possible: html`<td>${drill.name}</td>`.
 */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new SafeHtml(out);
}

const XML_ENTITIES: Record<string, string> = { ...ENTITIES, "'": '&apos;' };

/**
 * Escapes text for XML 1.0 content and quoted attributes (junit.xml). Characters XML 1.0 cannot carry at
 * all (C0 controls other than tab/newline/CR, U+FFFE/U+FFFF, lone surrogates) become U+FFFD, so a hostile
 * error message cannot make the file unparseable. Newlines in attributes are kept as character references.
 */
export function escapeXml(value: unknown, opts: { attribute?: boolean } = {}): string {
  const text = String(value ?? '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!);
  return opts.attribute ? text.replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;') : text.replace(/\r/g, '&#13;');
}
