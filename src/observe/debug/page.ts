// GET /debug/processes in a browser: one self-contained page (its style and script inline, nothing
// fetched but the endpoint's own JSON), with the current snapshot embedded so that it draws at once,
// then refreshes itself. Children are grouped by owner, each with the process tree under it.
import { PAGE_SCRIPT, REFRESH_MS } from './page-script.js';
import { PAGE_STYLE } from './page-style.js';
import type { DebugSnapshot } from './snapshot.js';

// Inside <script type="application/json">, only "<" could end the element early: escape it (and the
// two line separators JavaScript once disallowed in strings, for old parsers).
function embed(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function renderPage(snapshot: DebugSnapshot, nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>nursery · pid ${snapshot.host.pid}</title>
<style nonce="${nonce}">${PAGE_STYLE}</style>
</head>
<body>
<header>
  <h1><span>nursery</span> processes</h1>
  <div class="meta" id="meta"></div>
  <div class="live"><span class="dot" id="dot"></span><span id="updated"></span></div>
</header>
<main id="app"></main>
<footer>Refreshes every ${REFRESH_MS / 1000} s · the same data as JSON:
<a href="?format=json">/debug/processes?format=json</a> · arguments that look secret are hidden</footer>
<script type="application/json" id="data">${embed(snapshot)}</script>
<script nonce="${nonce}">${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
