export type * from './result.js';
export { renderReportHtml } from './html-report.js';
export { renderJunitXml, HEALTH_TESTCASE } from './junit.js';
export { renderSummaryText } from './summary-text.js';
export { writeReportsIndex, scanReports, type IndexedRun, type ReportsScan } from './reports-index.js';
export { renderIndexHtml } from './index-html.js';
export { writeFileAtomic, tempPathFor } from './write-file-atomic.js';
export { escapeHtml, escapeXml, html, SafeHtml } from './escape.js';
