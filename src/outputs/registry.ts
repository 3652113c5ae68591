import { html } from './html.js';
import { json } from './json.js';
import { junit } from './junit.js';
import type { OutputWriters } from './plugin.js';

// Every output format and its writer, in the order they are written (result.json first: if a rendering
// fails, the evidence is already on disk).
export const outputWriters = { json, html, junit } satisfies OutputWriters;
