import { html, SafeHtml } from './escape.js';

/**
 * The <head> every drill page shares: no script, no external resource (the CSP forbids both in case
 * anything slipped through escaping), inline CSS, the title escaped like any other outside text.
 */
export function pageHead(title: string, css: string): SafeHtml {
  return html`<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new SafeHtml(css)}</style>
</head>`;
}
