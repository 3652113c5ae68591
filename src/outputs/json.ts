import type { OutputWriter } from './plugin.js';

/** result.json: everything measured, for machines; the input of every other output. */
export const json: OutputWriter<'json'> = { kind: 'json', file: 'result.json', rendered: false, render: (result) => `${JSON.stringify(result, null, 2)}\n` };
