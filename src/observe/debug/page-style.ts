// The debug page's stylesheet: inline in the page (no CDN, no build step), light and dark.
export const PAGE_STYLE = `
:root { --bg:#f6f7f9; --panel:#fff; --ink:#1c2330; --muted:#667085; --line:#e4e7ec; --accent:#2563eb;
  --ok:#12805c; --okbg:#e3f6ee; --warn:#b54708; --warnbg:#fef0e1; --bad:#b42318; --badbg:#fde8e7;
  --chip:#eef2f7; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
@media (prefers-color-scheme: dark) { :root { --bg:#0f1319; --panel:#171c24; --ink:#e6e9ef; --muted:#8d96a7;
  --line:#262d38; --accent:#6ea0ff; --ok:#4ccf9a; --okbg:#12301f; --warn:#f5a65b; --warnbg:#33230f;
  --bad:#ff7a70; --badbg:#3a1714; --chip:#222a35; } }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:14px/1.45 system-ui, -apple-system, "Segoe UI",
  Roboto, sans-serif; }
header { position:sticky; top:0; z-index:2; display:flex; align-items:center; gap:18px; padding:10px 24px;
  background:var(--panel); border-bottom:1px solid var(--line); }
header h1 { margin:0; font-size:17px; letter-spacing:.2px; }
header h1 span { color:var(--accent); }
header .meta { color:var(--muted); font-size:13px; display:flex; gap:14px; flex-wrap:wrap; }
header .live { margin-left:auto; display:flex; align-items:center; gap:8px; font-size:13px; color:var(--muted); }
.dot { width:9px; height:9px; border-radius:50%; background:var(--ok); box-shadow:0 0 0 3px var(--okbg); }
.dot.stale { background:var(--bad); box-shadow:0 0 0 3px var(--badbg); }
main { padding:18px 24px 40px; max-width:1500px; margin:0 auto; }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(112px, 1fr)); gap:10px; margin-bottom:20px; }
.card { background:var(--panel); border:1px solid var(--line); border-radius:10px; padding:8px 12px; }
.card b { display:block; font-size:22px; font-variant-numeric:tabular-nums; }
.card span { color:var(--muted); font-size:11px; text-transform:uppercase; letter-spacing:.4px; white-space:nowrap; }
.card.alert b { color:var(--bad); }
section { background:var(--panel); border:1px solid var(--line); border-radius:10px; margin-bottom:18px;
  overflow:hidden; }
section > h2 { margin:0; padding:10px 16px; font-size:14px; border-bottom:1px solid var(--line);
  display:flex; gap:10px; align-items:baseline; }
section > h2 small { color:var(--muted); font-weight:normal; }
.empty { padding:14px 16px; color:var(--muted); }
table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
th { text-align:left; font-weight:600; font-size:12px; color:var(--muted); padding:6px 12px;
  border-bottom:1px solid var(--line); white-space:nowrap; }
td { padding:5px 12px; border-bottom:1px solid var(--line); white-space:nowrap; vertical-align:top; }
tr:last-child td { border-bottom:none; }
td.num, th.num { text-align:right; }
td.cmd { font-family:var(--mono); font-size:12.5px; white-space:normal; word-break:break-all; width:100%; }
tr.owner td { background:var(--chip); font-weight:600; }
tr.owner td small { color:var(--muted); font-weight:normal; margin-left:8px; }
tr.sub td { color:var(--muted); }
tr.sub td.pid { padding-left:26px; }
.tree { color:var(--muted); font-family:var(--mono); margin-right:4px; }
.badge { display:inline-block; padding:1px 8px; border-radius:999px; font-size:12px; font-weight:600; }
.running { background:var(--okbg); color:var(--ok); }
.stopping { background:var(--warnbg); color:var(--warn); }
.exited, .leak { background:var(--badbg); color:var(--bad); }
.mode { background:var(--chip); color:var(--muted); font-weight:500; }
.s-ok { background:var(--okbg); color:var(--ok); }
.s-warn { background:var(--warnbg); color:var(--warn); }
.s-bad { background:var(--badbg); color:var(--bad); }
.s-off { background:var(--chip); color:var(--muted); }
td.svc { color:var(--accent); }
footer { color:var(--muted); font-size:12px; text-align:center; padding:8px; }
footer a { color:var(--accent); }
`;
