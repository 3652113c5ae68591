import { renderJunitXml } from '../report/junit.js';
import type { OutputWriter } from './plugin.js';

/** junit.xml: one test case per objective plus the drill's own health, for CI test views. */
export const junit: OutputWriter<'junit'> = { kind: 'junit', file: 'junit.xml', rendered: true, render: renderJunitXml };
