import { renderReportHtml } from '../report/html-report.js';
import type { OutputWriter } from './plugin.js';

/** report.html: one self-contained page (no script, no network) for people. */
export const html: OutputWriter<'html'> = { kind: 'html', file: 'report.html', rendered: true, render: renderReportHtml };
