// The report's only stylesheet, inlined: the file must open from a CI artifact with no network.
// Shared by report.html and the reports index; the print rules make a PDF an auditor can file.
export const REPORT_CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; }
main { max-width: 1240px; margin: 0 auto; padding: 20px 24px 48px; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 14px 18px; margin: 14px 0; }
h1 { font-size: 22px; margin: 0 0 4px; word-break: break-word; }
h2 { font-size: 16px; margin: 0 0 10px; }
h2.zoom-title { margin-top: 18px; }
h3 { font-size: 14px; margin: 12px 0 6px; }
.verdict { display: flex; gap: 18px; align-items: center; border-width: 3px; }
.v-border-pass { border-color: #1a7f37; } .v-border-fail { border-color: #cf222e; } .v-border-error { border-color: #8250df; } .v-border-aborted { border-color: #6e7781; }
.badge { font-size: 44px; font-weight: 800; letter-spacing: .04em; color: #fff; padding: 10px 26px; border-radius: 10px; flex: none; }
.v-pass { background: #1a7f37; } .v-fail { background: #cf222e; } .v-error { background: #8250df; } .v-aborted { background: #6e7781; }
.verdict-text { min-width: 0; }
.headline { font-size: 16px; margin: 2px 0 4px; }
.reason { font-size: 15px; margin-top: 4px; white-space: pre-wrap; word-break: break-word; color: #82071e; }
.muted { color: #57606a; } .small { font-size: 12px; }
.desc { white-space: pre-wrap; margin: 6px 0; word-break: break-word; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 10px 4px 0; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th { font-weight: 600; color: #57606a; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.strong { font-weight: 700; }
td.msg { word-break: break-word; }
table.kv th { width: 220px; }
tr.row-missed td { background: #ffebe9; } tr.row-unmeasured td { background: #fff8c5; } .unmeasured { color: #9a6700; font-weight: 700; } tr.row-info td { color: #57606a; }
tr.charted td { font-weight: 600; }
.met { color: #1a7f37; font-weight: 700; } .missed { color: #cf222e; font-weight: 700; }
.warn { color: #9a6700; font-weight: 600; } .bad-text { color: #cf222e; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; }
.card { border: 1px solid #eaeef2; border-radius: 6px; padding: 8px 10px; }
.card .k { color: #57606a; font-size: 12px; } .card .v { font-size: 18px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card.bad .v { color: #cf222e; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
.failover { font-size: 15px; } .failover .arrow { font-size: 18px; margin: 0 6px; }
.pill { display: inline-block; font-size: 11px; font-weight: 600; padding: 1px 7px; border-radius: 10px; background: #eaeef2; color: #1f2328; }
.pill.ok { background: #dafbe1; color: #1a7f37; } .pill.bad { background: #ffebe9; color: #cf222e; } .pill.warn { background: #fff8c5; color: #9a6700; }
svg { display: block; }
svg text.tick { font-size: 11px; fill: #57606a; } svg text.marker { font-size: 11px; font-weight: 600; }
svg text.window { font-size: 12px; fill: #82071e; font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 12px; color: #57606a; margin-top: 6px; }
.legend i, i.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; vertical-align: -1px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
pre.source { background: #f6f8fa; border: 1px solid #eaeef2; border-radius: 6px; padding: 10px; max-height: 480px; overflow: auto; white-space: pre-wrap; word-break: break-word; }
pre.source code { word-break: break-word; }
ul.notes { margin: 0; padding-left: 18px; }
footer { font-size: 12px; margin-top: 10px; }
a { color: #0969da; }
@media (max-width: 760px) { .verdict { flex-direction: column; align-items: flex-start; } .cols { grid-template-columns: 1fr; } }
/* Phones: the page never scrolls sideways; a wide table scrolls inside its own box, and the charts are
   drawn at their own width (1200 units = 1200 px, so their text stays 11 px) in a box that scrolls. */
@media (max-width: 600px) {
  main { padding: 10px 8px 32px; }
  section { padding: 10px; }
  .badge { font-size: 30px; padding: 8px 16px; }
  table { display: block; overflow-x: auto; max-width: 100%; }
  table.kv th { width: auto; }
  .chart-scroll { overflow-x: auto; max-width: 100%; }
  .chart-scroll > svg.timeline, .chart-scroll > svg.latency { width: 1200px; max-width: none; }
  svg.trend { min-width: 640px; }
  .trend-scroll { overflow-x: auto; max-width: 100%; }
}
@media print {
  @page { size: A4 landscape; margin: 10mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { background: #fff; font-size: 11px; }
  main { max-width: none; padding: 0; }
  section { border: 0; border-top: 1px solid #d0d7de; border-radius: 0; padding: 8px 0; margin: 6px 0; }
  .verdict { border: 2px solid; border-radius: 6px; padding: 8px; break-inside: avoid; }
  .badge { font-size: 34px; }
  section.chart h2, svg, .legend, .grid, .card, tr { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  pre.source { max-height: none; overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
`;
