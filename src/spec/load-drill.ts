import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { isMap, isScalar, isSeq } from 'yaml';
import { describeValue, issuesToProblems } from './issues.js';
import { formatPath, type Problem } from './problem.js';
import { drillSchema, type DrillSpec } from './schema.js';
import { semanticProblems } from './semantic.js';
import { ruleFileProblems } from './rule-files-check.js';
import { isSecretName, type Environment } from './env-vars.js';
import { explainReferences, substituteVariables } from './yaml-env.js';
import { redact, registerSecret } from '../util/redact.js';
import { MAX_ALIAS_COUNT, MAX_NESTING, Locator, MAX_TOKENS, scanTokens, parseYaml, structureProblems, syntaxProblems, type ParsedYaml } from './yaml-source.js';

// Loads a drill file (YAML, or JSON — JSON is YAML) into a DrillSpec, or fails with a DrillFileError
// listing every problem as `file:line:column: path: message`. Hostile input (binary, huge, deeply
// nested, alias bombs) gets the same kind of error, quickly: never a stack trace, never a hang.

/** A drill file is small; anything larger than this is refused before it is even parsed. */
export const MAX_DRILL_FILE_BYTES = 1024 * 1024;
/** At most this many errors are listed (one more line says how many were left out). */
export const MAX_REPORTED_ERRORS = 50;

export type FileProblem = {
  file: string;
  /** 1-based; null when the problem is the file itself (not found, too large…). */
  line: number | null;
  column: number | null;
  /** Where in the drill: "steps[0].fault", "load"; "" for the file or the top level. */
  path: string;
  message: string;
};

/** `file:line:column: path: message`, leaving out the parts that are empty. */
export function formatFileProblem(error: FileProblem): string {
  const where = error.line === null ? error.file : `${error.file}:${error.line}:${error.column ?? 1}`;
  return error.path === '' ? `${where}: ${error.message}` : `${where}: ${error.path}: ${error.message}`;
}

export class DrillFileError extends Error {
  override readonly name = 'DrillFileError';
  readonly errors: FileProblem[];
  readonly file: string;

  constructor(file: string, errors: FileProblem[]) {
    super(errors.map(formatFileProblem).join('\n'));
    this.file = file;
    this.errors = errors;
  }
}

/** An environment variable the drill file uses (never its value: it may be a secret). */
export interface DrillVariable {
  name: string;
  /** Whether the value came from the environment or from the default written in the file. */
  from: 'environment' | 'default';
  /** A secret-looking name (PASSWORD, SECRET, TOKEN, KEY, CREDENTIAL…): its value is masked everywhere. */
  secret: boolean;
}

export interface LoadOptions {
  /** Where `${NAME}` is looked up; default process.env. */
  env?: Environment;
}

export interface LoadedDrill {
  spec: DrillSpec;
  /** The file's text as read (UTF-8, without a byte-order mark): as written, `${NAME}` included. */
  source: string;
  /** sha256 of the file's bytes, hex. */
  sha256: string;
  /** The path as given. */
  file: string;
  /** The environment variables it uses, each once, in name order (absent in a LoadedDrill built by hand). */
  variables?: DrillVariable[];
}

function fileError(file: string, message: string, line: number | null = null, column: number | null = null): DrillFileError {
  return new DrillFileError(file, [{ file, line, column, path: '', message }]);
}

function fsErrorMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'file not found';
    case 'ENOTDIR':
      return 'file not found (a part of the path is not a directory)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied: cannot read the drill file';
    case 'EISDIR':
      return 'is a directory, expected a drill file (.yaml, .yml or .json)';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'file name too long';
    default:
      return `cannot read the drill file (${code ?? 'error'}: ${error instanceof Error ? error.message : String(error)})`;
  }
}

function tooLarge(bytes: number): string {
  return `file is too large (${bytes} bytes): a drill file is at most ${MAX_DRILL_FILE_BYTES} bytes (1 MiB)`;
}

export async function loadDrillFile(file: string, opts: LoadOptions = {}): Promise<LoadedDrill> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    throw fileError(file, fsErrorMessage(error));
  }
  if (info.isDirectory()) throw fileError(file, fsErrorMessage({ code: 'EISDIR' }));
  // A FIFO or a device would block or never end: refuse anything but a regular file before opening it.
  if (!info.isFile()) throw fileError(file, 'not a regular file, expected a drill file (.yaml, .yml or .json)');
  if (info.size > MAX_DRILL_FILE_BYTES) throw fileError(file, tooLarge(info.size));

  let bytes: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      // Read at most one byte past the limit, whatever stat said: the file may have grown since.
      const buffer = Buffer.alloc(MAX_DRILL_FILE_BYTES + 1);
      let total = 0;
      while (total < buffer.length) {
        const { bytesRead } = await handle.read(buffer, total, buffer.length - total, total);
        if (bytesRead === 0) break;
        total += bytesRead;
      }
      bytes = buffer.subarray(0, total);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw fileError(file, fsErrorMessage(error));
  }
  return finish(file, bytes, opts);
}

function finish(file: string, bytes: Buffer, opts: LoadOptions): LoadedDrill {
  if (bytes.length > MAX_DRILL_FILE_BYTES) throw fileError(file, tooLarge(bytes.length));
  const source = decodeUtf8(bytes, file);
  const { spec, variables } = parseDrill(source, file, opts);
  // Files the drill points to (alert rules) are read only for a drill that is a file: their paths are relative to it.
  const fileProblems = ruleFileProblems(spec, file);
  if (fileProblems.length > 0) throw toDrillFileError(file, source, fileProblems, parseYaml(source));
  return { spec, source, sha256: createHash('sha256').update(bytes).digest('hex'), file, variables };
}

/** Offset of the first byte that is not valid UTF-8, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const n = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (n === 0 || i + n >= bytes.length) return i;
    let codePoint = b & (0xff >> (n + 2));
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (c & 0x3f);
    }
    const min = n === 1 ? 0x80 : n === 2 ? 0x800 : 0x10000;
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

function decodeUtf8(bytes: Buffer, file: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw fileError(file, 'the file is UTF-16 text: save the drill file as UTF-8', 1, 1);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = Math.max(0, firstInvalidUtf8(bytes));
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    const byte = bytes[offset] ?? 0;
    throw fileError(file, `not a text file: byte 0x${byte.toString(16).padStart(2, '0')} is not valid UTF-8 (a drill file is UTF-8 YAML or JSON)`, line, offset - lineStart + 1);
  }
}

// C0 controls other than tab, LF and CR, and DEL: never in a YAML or JSON text, always in binary junk.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** A drill given as text (the calibration drill, a drill built by a program): parsed, validated and fingerprinted as a file would be. Throws DrillFileError. */
export function loadDrillText(text: string, file: string, opts: LoadOptions = {}): LoadedDrill {
  const { spec, variables } = parseDrill(text, file, opts);
  return { spec, source: text, sha256: createHash('sha256').update(text).digest('hex'), file, variables };
}

/** Parses and validates a drill file's text; `file` is only used in messages. Throws DrillFileError. */
export function parseDrillText(text: string, file: string, opts: LoadOptions = {}): DrillSpec {
  return parseDrill(text, file, opts).spec;
}

function parseDrill(text: string, file: string, opts: LoadOptions): { spec: DrillSpec; variables: DrillVariable[] } {
  let failure: DrillFileError;
  try {
    const outcome = analyse(text, opts.env ?? process.env);
    if ('spec' in outcome) return outcome;
    failure = toDrillFileError(file, text, outcome.problems, outcome.parsed);
  } catch (error) {
    // Defensive: a parser bug or an exhausted stack must still come out as a drill file error.
    const message = error instanceof Error ? error.message : String(error);
    failure = fileError(file, `cannot parse the drill file: ${message.split('\n')[0]}`);
  }
  throw failure;
}

function toDrillFileError(file: string, text: string, problems: Problem[], parsed: ParsedYaml | undefined): DrillFileError {
  const locator = new Locator(parsed, text);
  const errors: FileProblem[] = problems.map((p) => {
    const { line, column } = locator.locate(p.where);
    // Masked: a value from a secret variable may be quoted back in a message ("expected at least 8 characters, got …").
    return { file, line, column, path: formatPath(p.path), message: redact(p.message.replace(/[\r\n]+/g, ' ')) };
  });
  // File-level problems (no line) first, then in reading order; the sort is stable.
  errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  const unique = errors.filter((e, i) => i === 0 || formatFileProblem(e) !== formatFileProblem(errors[i - 1]!));
  if (unique.length <= MAX_REPORTED_ERRORS) return new DrillFileError(file, unique);
  const more: FileProblem = { file, line: null, column: null, path: '', message: `${unique.length - MAX_REPORTED_ERRORS} more error(s) not shown` };
  return new DrillFileError(file, [...unique.slice(0, MAX_REPORTED_ERRORS), more]);
}

type Analysis = { spec: DrillSpec; variables: DrillVariable[] } | { problems: Problem[]; parsed: ParsedYaml | undefined };

function fail(problems: Problem[], parsed?: ParsedYaml): Analysis {
  return { problems, parsed };
}

function analyse(text: string, env: Environment): Analysis {
  // 1. Before any parsing: size, binary junk, nesting that could exhaust the parser's stack.
  if (text.length > MAX_DRILL_FILE_BYTES || Buffer.byteLength(text, 'utf8') > MAX_DRILL_FILE_BYTES) {
    return fail([{ path: [], message: tooLarge(Buffer.byteLength(text, 'utf8')), where: 'file' }]);
  }
  const control = CONTROL.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return fail([{ path: [], message: `not a text file: unexpected control character U+${code} (a drill file is UTF-8 YAML or JSON)`, where: { offset: control.index } }]);
  }
  // `yaml` reads a lone CR (classic Mac OS line ends) as part of the line, and then reports nonsense.
  const loneCr = /\r(?!\n)/.exec(text);
  if (loneCr) {
    return fail([{ path: [], message: 'line ends are lone carriage returns (CR, classic Mac OS): save the drill file with LF or CRLF line ends', where: { offset: loneCr.index } }]);
  }
  const scan = scanTokens(text);
  if (scan.tooDeep !== undefined) {
    return fail([{ path: [], message: `nested too deeply (more than ${MAX_NESTING} levels): a drill file is only a few levels deep`, where: { offset: scan.tooDeep } }]);
  }
  if (scan.tooMany !== undefined) {
    return fail([{ path: [], message: `too much YAML (more than ${MAX_TOKENS} values, keys and symbols): a drill file is a few hundred`, where: { offset: scan.tooMany } }]);
  }

  // 2. YAML: syntax, then what the YAML data model allows but a drill file does not.
  const parsed = parseYaml(text);
  const syntax = syntaxProblems(parsed);
  if (syntax.length > 0) return fail(explainReferences(syntax, text, new Map()), parsed);
  const contents = parsed.doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null && contents.range[0] === contents.range[2])) {
    return fail([{ path: [], message: 'the file is empty: expected a mapping with name, stack, load and steps', where: 'file' }], parsed);
  }
  if (!isMap(contents)) {
    const got = isSeq(contents) ? 'a list' : isScalar(contents) ? describeValue(contents.value) : 'an alias';
    return fail([{ path: [], message: `expected a mapping at the top level (name, stack, load, steps…), got ${got}`, where: { node: [] } }], parsed);
  }
  const structure = structureProblems(parsed);
  if (structure.problems.length > 0) return fail(structure.problems, parsed);
  // Environment variables, value by value; a secret is registered before anything can quote it.
  const substitution = substituteVariables(parsed, text, env);
  for (const v of substitution.variables) if (isSecretName(v.name)) registerSecret(v.value);
  if (substitution.problems.length > 0) return fail(substitution.problems, parsed);

  let data: unknown;
  try {
    data = parsed.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const where: Problem['where'] = structure.firstAlias !== undefined ? { offset: structure.firstAlias } : { node: [] };
    if (/excessive alias count/i.test(message)) {
      return fail([{ path: [], message: `YAML aliases expand too much (an "alias bomb"?): at most ${MAX_ALIAS_COUNT} aliased nodes are allowed`, where }], parsed);
    }
    const unresolved = /^Unresolved alias[^:]*: (.*)$/.exec(message);
    if (unresolved) {
      return fail([{ path: [], message: `unknown alias "*${unresolved[1]}": an anchor (&${unresolved[1]}) must be defined before it is used`, where }], parsed);
    }
    return fail([{ path: [], message: `cannot read the YAML data: ${message.split('\n')[0]}`, where }], parsed);
  }

  // 3. The schema, then the rules across fields. Without zod's JIT: a command reads a file or a few, and
  // compiling zod's fast path at the first parse costs more than it saves (the result is the same).
  const result = drillSchema.safeParse(data, { jitless: true });
  if (!result.success) return fail(explainReferences(issuesToProblems(result.error.issues, data, drillSchema), text, substitution.quotedWhole), parsed);
  const locator = new Locator(parsed, text);
  const semantic = semanticProblems(result.data, (path) => locator.has(path));
  if (semantic.length > 0) return fail(semantic, parsed);
  return { spec: result.data, variables: variablesUsed(substitution.variables) };
}

/** Each variable once: from the environment if any of its uses took the environment's value. */
function variablesUsed(resolved: readonly { name: string; from: DrillVariable['from'] }[]): DrillVariable[] {
  const byName = new Map<string, DrillVariable>();
  for (const { name, from } of resolved) {
    const seen = byName.get(name);
    if (!seen || from === 'environment') byName.set(name, { name, from, secret: isSecretName(name) });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
