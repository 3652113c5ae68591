import assert from 'node:assert/strict';
import { SyntaxValidator, type ValidationError } from 'fast-xml-validator';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HEALTH_TESTCASE, renderJunitXml } from '../../src/report/junit.js';
import type { ResultJson } from '../../src/report/result.js';
import { writeRunReports } from '../../src/outputs/write-outputs.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'results');
const fixture = async (name: string): Promise<ResultJson> => JSON.parse(await readFile(join(FIXTURES, `${name}.result.json`), 'utf8')) as ResultJson;

// ---- A small, strict XML 1.0 reader: enough to prove junit.xml is well-formed without a dependency. ----

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITY = /^&(lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;
const INVALID_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function decode(raw: string, where: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '<') throw new Error(`raw '<' in ${where}`);
    if (c !== '&') {
      out += c;
      continue;
    }
    const m = ENTITY.exec(raw.slice(i));
    if (!m) throw new Error(`bad entity in ${where}: ${raw.slice(i, i + 12)}`);
    const e = m[1]!;
    out += e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : e === 'apos' ? "'" : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    i += m[0].length - 1;
  }
  return out;
}

/** Parses a document; throws on anything not well-formed (unbalanced tags, bad entities, stray '<', two roots, ...). */
function parseXml(doc: string): XmlElement {
  if (INVALID_CHAR.test(doc)) throw new Error('a character XML 1.0 does not allow');
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const skipWs = () => {
    while (i < doc.length && /\s/.test(doc[i]!)) i++;
  };
  if (doc.startsWith('<?xml')) {
    const end = doc.indexOf('?>');
    if (end < 0) throw new Error('unterminated XML declaration');
    i = end + 2;
  }
  while (i < doc.length) {
    if (doc.startsWith('<!--', i)) {
      const end = doc.indexOf('-->', i + 4);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
    } else if (doc.startsWith('<![CDATA[', i)) {
      const end = doc.indexOf(']]>', i);
      if (end < 0 || stack.length === 0) throw new Error('bad CDATA');
      stack[stack.length - 1]!.text += doc.slice(i + 9, end);
      i = end + 3;
    } else if (doc.startsWith('</', i)) {
      i += 2;
      const m = NAME.exec(doc.slice(i));
      if (!m) throw new Error(`bad end tag at ${i}`);
      i += m[0].length;
      skipWs();
      if (doc[i] !== '>') throw new Error(`bad end tag ${m[0]}`);
      i++;
      const open = stack.pop();
      if (!open || open.name !== m[0]) throw new Error(`</${m[0]}> does not close <${open?.name}>`);
    } else if (doc[i] === '<') {
      i++;
      const m = NAME.exec(doc.slice(i));
      if (!m) throw new Error(`bad start tag at ${i}: ${doc.slice(i, i + 20)}`);
      i += m[0].length;
      const el: XmlElement = { name: m[0], attrs: {}, children: [], text: '' };
      for (;;) {
        const before = i;
        skipWs();
        if (doc.startsWith('/>', i) || doc[i] === '>') break;
        if (i === before) throw new Error(`attributes of <${el.name}> need whitespace`);
        const a = NAME.exec(doc.slice(i));
        if (!a) throw new Error(`bad attribute in <${el.name}>`);
        i += a[0].length;
        skipWs();
        if (doc[i] !== '=') throw new Error(`attribute ${a[0]} without value`);
        i++;
        skipWs();
        const q = doc[i];
        if (q !== '"' && q !== "'") throw new Error(`unquoted attribute ${a[0]}`);
        const end = doc.indexOf(q, i + 1);
        if (end < 0) throw new Error(`unterminated attribute ${a[0]}`);
        if (Object.hasOwn(el.attrs, a[0])) throw new Error(`duplicate attribute ${a[0]}`);
        el.attrs[a[0]] = decode(doc.slice(i + 1, end), `attribute ${a[0]}`);
        i = end + 1;
      }
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      else if (root) throw new Error('more than one root element');
      else root = el;
      if (doc[i] === '/') {
        i += 2;
      } else {
        i++;
        stack.push(el);
      }
    } else {
      const end = doc.indexOf('<', i);
      const raw = doc.slice(i, end < 0 ? doc.length : end);
      if (raw.includes(']]>')) throw new Error("']]>' in text");
      if (stack.length === 0) {
        if (raw.trim()) throw new Error(`text outside the root: ${raw.slice(0, 20)}`);
      } else {
        stack[stack.length - 1]!.text += decode(raw, `<${stack[stack.length - 1]!.name}> text`);
      }
      i = end < 0 ? doc.length : end;
    }
  }
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** A second opinion from a real XML parser (fast-xml-validator): always there, so the check always runs. */
function externalWellFormed(xml: string): string {
  // Its types say it always returns true; on bad XML it returns the error (see its README).
  let verdict: unknown;
  try {
    verdict = SyntaxValidator.validate(xml);
  } catch (error) {
    // Some malformed input makes it throw instead.
    return `fast-xml-validator: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (verdict === true) return 'ok';
  const { err } = verdict as ValidationError;
  return `fast-xml-validator: ${err.code} at line ${err.line}: ${err.msg}`;
}

const kids = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);
const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;
const INT = /^[0-9]+$/;

/** The common JUnit schema's rules (Jenkins junit-10.xsd; Ant/windyroad JUnit.xsd for each testsuite). */
function checkJunitSchema(root: XmlElement): { tests: number; failures: number; errors: number; suite: XmlElement } {
  assert.equal(root.name, 'testsuites');
  for (const a of ['name', 'tests', 'failures', 'errors', 'time']) assert.ok(Object.hasOwn(root.attrs, a), `testsuites@${a}`);
  const suites = kids(root, 'testsuite');
  assert.equal(suites.length, 1);
  const suite = suites[0]!;
  for (const a of ['name', 'tests', 'failures', 'errors', 'time', 'timestamp', 'hostname', 'id', 'package']) assert.ok(suite.attrs[a]?.trim(), `testsuite@${a} non-empty`);
  for (const a of ['tests', 'failures', 'errors', 'skipped', 'id']) assert.match(suite.attrs[a]!, INT, `testsuite@${a}`);
  assert.match(suite.attrs.time!, DECIMAL);
  assert.match(suite.attrs.timestamp!, /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$/, 'Ant pattern: no zone');
  assert.deepEqual(
    suite.children.map((c) => c.name).filter((n, i, all) => all.indexOf(n) === i),
    ['properties', 'testcase', 'system-out', 'system-err'],
    'element order',
  );
  for (const p of kids(kids(suite, 'properties')[0]!, 'property')) assert.ok(Object.hasOwn(p.attrs, 'name') && Object.hasOwn(p.attrs, 'value'));
  const cases = kids(suite, 'testcase');
  let failures = 0;
  let errors = 0;
  for (const c of cases) {
    assert.ok(c.attrs.name?.trim() && c.attrs.classname?.trim(), 'testcase@name/classname');
    assert.match(c.attrs.time ?? '', DECIMAL, 'testcase@time');
    assert.ok(c.children.length <= 1);
    for (const f of c.children) {
      assert.ok(f.name === 'failure' || f.name === 'error', f.name);
      assert.ok(f.attrs.message?.trim() && f.attrs.type?.trim(), `${f.name}@message/type`);
      if (f.name === 'failure') failures++;
      else errors++;
    }
  }
  assert.equal(Number(suite.attrs.tests), cases.length);
  assert.equal(Number(suite.attrs.failures), failures);
  assert.equal(Number(suite.attrs.errors), errors);
  for (const a of ['tests', 'failures', 'errors', 'time']) assert.equal(root.attrs[a], suite.attrs[a], `testsuites@${a} = testsuite@${a}`);
  return { tests: cases.length, failures, errors, suite };
}

function parseJunit(xml: string) {
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
  assert.equal(externalWellFormed(xml), 'ok');
  return checkJunitSchema(parseXml(xml));
}

describe('the XML checker itself', () => {
  it('rejects what is not well-formed', () => {
    for (const bad of ['<a><b></a></b>', '<a>&nope;</a>', '<a x="1" x="2"/>', '<a/><b/>', '<a>x < y</a>', '<a x=1/>', '<a>\u0001</a>', '<a>']) {
      assert.throws(() => parseXml(bad), Error, bad);
      if (!['<a>&nope;</a>', '<a>\u0001</a>', '<a/><b/>'].includes(bad)) assert.notEqual(externalWellFormed(bad), 'ok', `the validator accepted ${bad}`);
    }
    assert.equal(parseXml('<a x="&lt;&#65;&#x42;">t&amp;<b/></a>').attrs.x, '<AB');
  });
});

describe('renderJunitXml', () => {
  it('a PASS: one testcase per objective plus drill health, nothing failed', async () => {
    const r = await fixture('pass-redis-kill-master');
    const { tests, failures, errors, suite } = parseJunit(renderJunitXml(r));
    assert.equal(tests, r.objectives.length + 1);
    assert.equal(failures, 0);
    assert.equal(errors, 0);
    assert.equal(suite.attrs.name, 'drill.redis-sentinel-kill-master');
    assert.equal(suite.attrs.timestamp, '2026-11-22T02:58:04');
    assert.equal(suite.attrs.time, '22.748');
    assert.deepEqual(
      kids(suite, 'testcase').map((c) => c.attrs.name),
      ['rto', 'unexpectedWrites', HEALTH_TESTCASE],
    );
    assert.match(kids(suite, 'system-out')[0]!.text, /^PASS {2}redis-sentinel-kill-master/);
  });

  it('a FAIL: each missed objective is a failure that says declared vs measured (with precision)', async () => {
    const r = await fixture('fail-lost-writes');
    const { tests, failures, errors, suite } = parseJunit(renderJunitXml(r));
    assert.equal(tests, 5);
    assert.equal(failures, 2);
    assert.equal(errors, 0, 'the drill itself was healthy');
    const failed = kids(suite, 'testcase').filter((c) => c.children.length);
    assert.deepEqual(
      failed.map((c) => c.attrs.name),
      ['lostWrites', 'rpo'],
    );
    assert.equal(failed[0]!.children[0]!.attrs.message, 'Lost writes: declared ≤ 0, measured 25');
    assert.equal(failed[0]!.children[0]!.attrs.type, 'ObjectiveMissed');
    assert.equal(failed[1]!.children[0]!.attrs.message, 'RPO: declared ≤ 100 ms, measured 215.6 ms ± 245.4 ms');
    assert.match(failed[0]!.children[0]!.text, /12 acknowledged after the fault/);
  });

  it('an ERROR with hostile text: well-formed, escaped, and an <error> on the health testcase', async () => {
    const r = await fixture('hostile-error');
    const xml = renderJunitXml(r);
    assert.ok(!xml.includes('<img') && !xml.includes('<script') && !xml.includes('</script'), 'no raw markup from outside');
    const { failures, errors, suite } = parseJunit(xml);
    assert.equal(failures, 0);
    assert.equal(errors, 1);
    assert.equal(suite.attrs.name, 'drill.<img src=x onerror=alert(1)>', 'the name round-trips exactly');
    const health = kids(suite, 'testcase').find((c) => c.attrs.name === HEALTH_TESTCASE)!;
    const err = health.children[0]!;
    assert.equal(err.name, 'error');
    assert.equal(err.attrs.type, 'DrillError');
    assert.match(err.attrs.message!, /^the run failed: teardown failed: <\/script><script>alert\(1\)<\/script>/);
    assert.match(err.attrs.message!, /teardown: teardown left resources behind/);
    assert.match(err.text, /TeardownError: /);
  });

  it('control characters and lone surrogates from outside cannot break the file', async () => {
    const r = await fixture('pass-redis-kill-master');
    r.drill.name = 'bad\u0000name\u001b[31m\ud800';
    r.reason = 'line1\nline2\r\u0007';
    r.verdict = 'error';
    const { errors, suite } = parseJunit(renderJunitXml(r));
    assert.equal(errors, 1);
    assert.equal(suite.attrs.name, 'drill.bad\ufffdname\ufffd[31m\ufffd');
    const message = kids(suite, 'testcase').at(-1)!.children[0]!.attrs.message!;
    assert.match(message, /line1\nline2\r\ufffd/, 'newlines survive in attributes as character references');
  });

  it('an aborted run that measured nothing: objectives are errors "not measured" with the reason (not failures), health is an error', async () => {
    const r = await fixture('pass-redis-kill-master');
    Object.assign(r, { verdict: 'aborted', reason: 'interrupted by SIGINT', measured: null, faults: [] });
    r.objectives = r.objectives.map((o) => ({ ...o, measured: null, met: false }));
    const { failures, errors, suite } = parseJunit(renderJunitXml(r));
    assert.equal(failures, 0);
    assert.equal(errors, 3);
    const [rto] = kids(suite, 'testcase');
    assert.equal(rto!.children[0]!.name, 'error');
    assert.equal(rto!.children[0]!.attrs.type, 'NotMeasured');
    assert.equal(rto!.children[0]!.attrs.message, 'RTO: declared ≤ 10 s, not measured: the run ended early: aborted');
    assert.equal(kids(suite, 'testcase').at(-1)!.children[0]!.attrs.type, 'DrillAborted');
  });

  it('a stack that never came up is an error of the drill, not of the system', async () => {
    const r = await fixture('pass-redis-kill-master');
    r.stack.containers = [];
    r.verdict = 'error';
    r.reason = 'docker: no such image';
    const { errors, suite } = parseJunit(renderJunitXml(r));
    assert.equal(errors, 1);
    assert.match(kids(suite, 'testcase').at(-1)!.children[0]!.attrs.message!, /the stack did not come up/);
  });
});

describe('writeRunReports', () => {
  it('also writes junit.xml, atomically, and returns its path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drill-junit-test-'));
    try {
      const r = await fixture('fail-lost-writes');
      await writeFile(join(dir, 'junit.xml'), 'old');
      const paths = await writeRunReports(dir, r);
      assert.equal(paths.junitPath, join(dir, 'junit.xml'));
      assert.equal(await readFile(paths.junitPath, 'utf8'), renderJunitXml(r));
      assert.deepEqual(execFileSync('ls', ['-A', dir], { encoding: 'utf8' }).trim().split('\n').sort(), ['junit.xml', 'report.html', 'result.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names stay the same when a threshold changes; the bound is in the message and the properties', async () => {
    const r = await fixture('fail-lost-writes');
    const before = kids(parseJunit(renderJunitXml(r)).suite, 'testcase').map((c) => c.attrs.name);
    r.objectives = r.objectives.map((o) => ({ ...o, declared: o.declared + 1 }));
    const after = parseJunit(renderJunitXml(r));
    assert.deepEqual(
      kids(after.suite, 'testcase').map((c) => c.attrs.name),
      before,
    );
    const props = kids(kids(after.suite, 'properties')[0]!, 'property').map((p) => [p.attrs.name, p.attrs.value]);
    assert.ok(
      props.some(([k, v]) => k === 'objective.lostWrites.declared' && v === '1'),
      JSON.stringify(props),
    );
    assert.ok(props.some(([k, v]) => k === 'objective.lostWrites.state' && v === 'missed'));
  });

  it('an objective never measured (no recovery by the end of the load) is an error "not measured", a missed one a failure', async () => {
    const r = await fixture('fail-lost-writes');
    r.objectives = [{ name: 'rtoMs', declared: 5000, measured: null, met: false, unit: 'ms', state: 'not-measured', why: 'writes had not recovered (stably) by the end of the load' }, ...r.objectives];
    const { suite } = parseJunit(renderJunitXml(r));
    const rto = kids(suite, 'testcase').find((c) => c.attrs.name === 'rto')!;
    assert.equal(rto.children[0]!.name, 'error');
    assert.match(rto.children[0]!.attrs.message!, /not measured: writes had not recovered/);
  });
});
