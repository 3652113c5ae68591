import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { DrillFileError, parseDrillText } from '../../src/spec/load-drill.js';

// docs/drill-file.md shows the reference drill and real loader output: keep both true.

const doc = await readFile(new URL('../../docs/drill-file.md', import.meta.url), 'utf8');
const blocks = [...doc.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, body: m[2]! }));

function messagesOf(text: string, file: string): string {
  try {
    parseDrillText(text, file);
  } catch (error) {
    assert.ok(error instanceof DrillFileError);
    return `${error.message}\n`;
  }
  assert.fail('the example was accepted');
}

describe('docs/drill-file.md', () => {
  it('embeds the reference drill verbatim', async () => {
    const drill = await readFile(new URL('../../drills/redis-sentinel-kill-master.yaml', import.meta.url), 'utf8');
    assert.ok(blocks.some((b) => b.lang === 'yaml' && b.body === drill), 'the Example section differs from drills/redis-sentinel-kill-master.yaml');
  });

  it('shows the messages the loader really prints', () => {
    const index = blocks.findIndex((b) => b.lang === 'yaml' && b.body.startsWith('name: my-drill'));
    assert.ok(index >= 0, 'no my-drill.yaml example');
    const broken = blocks[index]!.body;
    assert.equal(messagesOf(broken, 'my-drill.yaml'), blocks[index + 1]!.body);
    const fixed = broken.replace('  rat: 300', '  rate: 300').replace('duration: 15\n', 'duration: 15s\n').replace('explode', 'kill').replace('lostwrites', 'lostWrites');
    assert.equal(messagesOf(fixed, 'my-drill.yaml'), blocks[index + 2]!.body);
  });
});
