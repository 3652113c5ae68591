export type * from './result.js';
export { renderReportHtml } from './html-report.js';
export { renderSummaryText } from './summary-text.js';
export { writeRunReports } from './write-run-reports.js';
export { writeFileAtomic, tempPathFor } from './write-file-atomic.js';
export { escapeHtml, html, SafeHtml } from './escape.js';
