// The report's only stylesheet, inlined: the file must open from a CI artifact with no network.
export const REPORT_CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0; background: #f6f8fa; }
main { max-width: 1240px; margin: 0 auto; padding: 20px 24px 48px; }
section { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 14px 18px; margin: 14px 0; }
h1 { font-size: 22px; margin: 0 0 4px; word-break: break-word; }
h2 { font-size: 16px; margin: 0 0 10px; }
.verdict { display: flex; gap: 18px; align-items: center; border-width: 2px; }
.badge { font-size: 34px; font-weight: 800; letter-spacing: .04em; color: #fff; padding: 6px 20px; border-radius: 8px; }
.v-pass { background: #1a7f37; } .v-fail { background: #cf222e; } .v-error { background: #8250df; } .v-aborted { background: #6e7781; }
.reason { font-size: 15px; margin-top: 4px; white-space: pre-wrap; word-break: break-word; }
.muted { color: #57606a; }
.desc { white-space: pre-wrap; margin: 6px 0 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 10px 4px 0; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th { font-weight: 600; color: #57606a; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.msg { word-break: break-word; }
.met { color: #1a7f37; font-weight: 700; } .missed { color: #cf222e; font-weight: 700; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; }
.card { border: 1px solid #eaeef2; border-radius: 6px; padding: 8px 10px; }
.card .k { color: #57606a; font-size: 12px; } .card .v { font-size: 18px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card.bad .v { color: #cf222e; }
svg text.tick { font-size: 11px; fill: #57606a; } svg text.marker { font-size: 11px; font-weight: 600; }
svg text.window { font-size: 12px; fill: #82071e; font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 12px; color: #57606a; margin-top: 4px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; vertical-align: -1px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
ul.notes { margin: 0; padding-left: 18px; }
`;
