import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { after, before, describe, it } from 'node:test';
import { DrillFileError, loadDrillFile, parseDrillText } from '../../src/spec/load-drill.js';
import { BASES, hostileCorpus, writeCorpus, type HostileCase } from '../fixtures/hostile/generate.js';
import { stringify } from 'yaml';

// Issue 6, part 4: a generated corpus of broken drill files, fed to the real CLI (`drill validate`) and
// to the loader in process. Every file must give exit code 2 and a message that names the file and the
// problem, never a stack trace, quickly and within bounded memory.

const root = fileURLToPath(new URL('../../', import.meta.url));
/** The CLI under test: bin/drill.js, which runs dist/ (built by `npm run build`). */
const CLI = path.join(root, 'bin', 'drill.js');
const DIST_MAIN = path.join(root, 'dist', 'cli', 'main.js');

/** Bounds: generous against what a laptop measures (see the diagnostics printed by the tests). */
const CORPUS_CLI_MS = 60_000;
const CHILD_HEAP_MB = 256;
const CHILD_MAX_RSS_MB = 400;
const PER_FILE_MS = 2000;
const HEAP_GROWTH_MB = 100;

let dir: string;
let corpus: { file: string; case: HostileCase }[];

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'drill-hostile-'));
  corpus = await writeCorpus(dir);
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The lines of `stderr` that report on `file`: `<file>:<line>:<col>: …` or `<file>: …`. */
function linesFor(stderr: string, file: string): string[] {
  const head = new RegExp(`^${escapeRegExp(file)}(?::\\d+:\\d+)?: \\S`);
  return stderr.split('\n').filter((line) => head.test(line));
}

function expectationMet(lines: string[], expect: HostileCase['expect']): boolean {
  if (expect === undefined) return true;
  return lines.some((line) => (typeof expect === 'string' ? line.includes(expect) : expect.test(line)));
}

/** Raw zod or JavaScript wording that would mean a problem went out unexplained. */
const UNEXPLAINED = /\bInvalid (input|option|key|union|element|type)\b|\[object \w+\]|\bundefined\b|TypeError|RangeError|ReferenceError|SyntaxError:/;
const STACK_TRACE = /\n\s+at /;

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(command: string, args: string[], timeoutMs: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: performance.now() - started });
    });
  });
}

function assertBuilt(): void {
  assert.ok(existsSync(DIST_MAIN), `${DIST_MAIN} is missing: this test runs the real CLI (bin/drill.js → dist/); run \`npm run build\` first`);
}

/** A warning when dist/ is older than the loader's sources: the CLI would test yesterday's code. */
function staleDistWarning(): string | undefined {
  const built = statSync(path.join(root, 'dist', 'spec', 'load-drill.js'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = path.join(root, 'src', 'spec');
  const newest = Math.max(
    0,
    ...readdirSync(sources)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => statSync(path.join(sources, f)).mtimeMs),
  );
  return newest > built ? 'dist/spec is older than src/spec: run `npm run build` (the CLI half of this test runs dist/)' : undefined;
}

/** GNU time, to measure the child's maximum resident set size (`-f %M`, KiB), where it is installed. */
const GNU_TIME = ['/usr/bin/time', '/bin/time'].find((p) => existsSync(p));

describe('hostile corpus (issue 6: broken drill files)', () => {
  it('has at least 200 broken files, in every category the issue names', () => {
    const categories = new Set(corpus.map((c) => c.case.category));
    assert.ok(corpus.length >= 200, `only ${corpus.length} files`);
    for (const needed of ['wrong-type', 'unknown-key', 'range', 'alias', 'nesting', 'binary', 'empty', 'not-a-file', 'huge', 'duplicate', 'tabs', 'encoding', 'json', 'yaml', 'semantic']) {
      assert.ok(categories.has(needed), `no case of category ${needed}`);
    }
    const names = corpus.map((c) => c.case.name);
    assert.equal(new Set(names).size, names.length, 'case names are unique');
    assert.ok(names.includes('a-directory.yaml') && names.includes('missing.yaml') && names.includes('empty.yaml'));
    assert.ok(corpus.some((c) => c.case.name.startsWith('billion-laughs')));
    assert.ok(
      corpus.some((c) => typeof c.case.content !== 'undefined' && Buffer.byteLength(c.case.content) > 1024 * 1024),
      'a file over 1 MiB',
    );
  });

  it('breaks valid drills: each base it starts from is valid as it is', () => {
    for (const [name, base] of Object.entries(BASES)) {
      assert.doesNotThrow(() => parseDrillText(stringify(base), `${name}.yaml`), `base ${name} is not a valid drill`);
    }
    assert.equal(hostileCorpus().length, corpus.length, 'the generator is deterministic');
  });

  it('in process: loadDrillFile throws a DrillFileError for every file, within 2 s each, with bounded heap', async (t) => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    let peakHeap = heapBefore;
    let slowest = { ms: 0, name: '' };
    const started = performance.now();
    const failures: string[] = [];
    for (const { file, case: c } of corpus) {
      const t0 = performance.now();
      let error: unknown;
      try {
        await loadDrillFile(file);
      } catch (caught) {
        error = caught;
      }
      const ms = performance.now() - t0;
      if (ms > slowest.ms) slowest = { ms, name: c.name };
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      if (!(error instanceof DrillFileError)) {
        failures.push(
          `${c.name}: ${error === undefined ? 'accepted as a valid drill' : `threw ${error instanceof Error ? error.name : typeof error}, not a DrillFileError: ${error instanceof Error ? error.message : JSON.stringify(error)}`}`,
        );
        continue;
      }
      if (ms > PER_FILE_MS) failures.push(`${c.name}: took ${ms.toFixed(0)} ms`);
      if (error.errors.length === 0 || error.errors.some((e) => e.file !== file || e.message.trim() === '')) failures.push(`${c.name}: an error without file or message`);
      if (STACK_TRACE.test(error.message)) failures.push(`${c.name}: a stack trace in the message`);
      // The messages without the file name (a case may be called "undefined-alias.yaml").
      const said = error.errors.map((e) => `${e.path}: ${e.message}`).join('\n');
      if (UNEXPLAINED.test(said)) failures.push(`${c.name}: unexplained wording: ${said.match(UNEXPLAINED)![0]}`);
      const lines = error.message.split('\n');
      if (!expectationMet(lines, c.expect)) failures.push(`${c.name}: expected the message to say ${String(c.expect)}, got:\n  ${lines.slice(0, 5).join('\n  ')}`);
    }
    const totalMs = performance.now() - started;
    gc();
    const growthMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    const peakMb = (peakHeap - heapBefore) / 2 ** 20;
    t.diagnostic(
      `in process: ${corpus.length} files in ${totalMs.toFixed(0)} ms; slowest ${slowest.name} ${slowest.ms.toFixed(0)} ms; heap growth after gc ${growthMb.toFixed(1)} MB, peak ${peakMb.toFixed(1)} MB above start; maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
    assert.deepEqual(failures, []);
    assert.ok(growthMb < HEAP_GROWTH_MB, `heap grew by ${growthMb.toFixed(1)} MB`);
    assert.ok(peakMb < HEAP_GROWTH_MB, `heap peaked ${peakMb.toFixed(1)} MB above the start`);
    // Nothing the files said reached Object.prototype (__proto__ / constructor.prototype keys).
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('drill validate on the whole corpus at once: exit 2, every file named with its problem, no stack trace, bounded time and memory', async (t) => {
    assertBuilt();
    const stale = staleDistWarning();
    if (stale) t.diagnostic(`warning: ${stale}`);
    const files = corpus.map((c) => c.file);
    const node = [`--max-old-space-size=${CHILD_HEAP_MB}`, CLI, 'validate', ...files];
    const result = GNU_TIME ? await run(GNU_TIME, ['-f', 'drill-maxrss-kb=%M', process.execPath, ...node], CORPUS_CLI_MS * 2) : await run(process.execPath, node, CORPUS_CLI_MS * 2);
    const rss = /drill-maxrss-kb=(\d+)\s*$/.exec(result.stderr);
    const maxRssMb = rss ? Number(rss[1]) / 1024 : undefined;
    t.diagnostic(
      `drill validate, ${files.length} files in one process: ${result.ms.toFixed(0)} ms, exit ${result.code}${maxRssMb !== undefined ? `, maxRSS ${maxRssMb.toFixed(0)} MB` : ' (no /usr/bin/time: maxRSS not measured; the heap is capped at 256 MB)'}, stderr ${(result.stderr.length / 1024).toFixed(0)} KiB`,
    );
    assert.equal(result.signal, null, `killed by ${result.signal} (after ${result.ms.toFixed(0)} ms)`);
    assert.equal(result.code, 2, `exit code ${result.code}; stderr starts:\n${result.stderr.slice(0, 2000)}`);
    assert.doesNotMatch(result.stderr, STACK_TRACE, 'a stack trace on stderr');
    assert.equal(result.stdout, '', 'nothing on stdout: no file was valid');
    const failures: string[] = [];
    for (const { file, case: c } of corpus) {
      const lines = linesFor(result.stderr, file);
      if (lines.length === 0) failures.push(`${c.name}: no line naming ${file}`);
      else if (!expectationMet(lines, c.expect)) failures.push(`${c.name}: expected ${String(c.expect)}, got:\n  ${lines.slice(0, 5).join('\n  ')}`);
    }
    // A stale build explains most mismatches with the in-process test above: say so first.
    if (failures.length > 0 && stale) failures.unshift(stale);
    assert.deepEqual(failures, []);
    assert.ok(result.ms < CORPUS_CLI_MS, `took ${result.ms.toFixed(0)} ms`);
    if (maxRssMb !== undefined) assert.ok(maxRssMb < CHILD_MAX_RSS_MB, `maxRSS ${maxRssMb.toFixed(0)} MB`);
  });

  it('drill validate one file per process, for a sample of every category and every non-file: exit 2 each', async (t) => {
    assertBuilt();
    // The first case of each category, and every file that is not a plain file.
    const seen = new Set<string>();
    const sample = corpus.filter((c) => {
      if (c.case.special !== undefined) return true;
      if (seen.has(c.case.category)) return false;
      seen.add(c.case.category);
      return true;
    });
    assert.ok(sample.length >= 20, `sample of ${sample.length}`);
    // As many at a time as there are CPUs (at most 8): more only makes each start-up slower.
    const parallel = Math.min(8, Math.max(2, os.availableParallelism()));
    const results: { name: string; result: ChildResult; file: string }[] = [];
    const started = performance.now();
    for (let i = 0; i < sample.length; i += parallel) {
      const batch = sample.slice(i, i + parallel);
      results.push(
        ...(await Promise.all(
          batch.map(async ({ file, case: c }) => ({ name: c.name, file, result: await run(process.execPath, [`--max-old-space-size=${CHILD_HEAP_MB}`, CLI, 'validate', file], 30_000) })),
        )),
      );
    }
    t.diagnostic(`${sample.length} processes, ${parallel} at a time: ${(performance.now() - started).toFixed(0)} ms; slowest ${Math.max(...results.map((r) => r.result.ms)).toFixed(0)} ms`);
    const failures = results.flatMap(({ name, file, result }) => {
      const problems: string[] = [];
      if (result.code !== 2) problems.push(`${name}: exit ${result.code} (signal ${result.signal})`);
      if (STACK_TRACE.test(result.stderr)) problems.push(`${name}: a stack trace`);
      if (linesFor(result.stderr, file).length === 0) problems.push(`${name}: no line naming the file in ${JSON.stringify(result.stderr.slice(0, 300))}`);
      return problems;
    });
    assert.deepEqual(failures, []);
  });

  it('drill validate with a missing file among valid ones still exits 2 and says which', async () => {
    assertBuilt();
    const good = path.join(root, 'drills', 'redis-sentinel-kill-master.yaml');
    const missing = path.join(dir, 'not-there.yaml');
    const result = await run(process.execPath, [CLI, 'validate', good, missing], 30_000);
    assert.equal(result.code, 2);
    assert.match(result.stdout, /redis-sentinel-kill-master\.yaml: ok/);
    assert.deepEqual(linesFor(result.stderr, missing), [`${missing}: file not found`]);
  });
});
