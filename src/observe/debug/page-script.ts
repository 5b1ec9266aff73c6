// The debug page's script, inline in the page: it draws the snapshot embedded in the page, then
// fetches the JSON again every 2 s and redraws. Text goes in with textContent only (a command line
// is data, never markup). Plain ES2017 in a string: no build step, no template literals inside.
export const REFRESH_MS = 2000;

export const PAGE_SCRIPT = `
(function () {
  'use strict';
  var REFRESH = ${REFRESH_MS};
  function el(tag, cls, kids, attrs) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    (kids || []).forEach(function (k) {
      if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
    });
    for (var a in attrs || {}) e.setAttribute(a, attrs[a]);
    return e;
  }
  function dur(s) {
    if (s === null || s === undefined) return '-';
    s = Math.floor(s);
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60), x = s % 60;
    if (d) return d + 'd ' + h + 'h';
    if (h) return h + 'h ' + (m < 10 ? '0' : '') + m + 'm';
    if (m) return m + 'm ' + (x < 10 ? '0' : '') + x + 's';
    return x + 's';
  }
  function bytes(b) {
    if (b === null || b === undefined) return '-';
    var u = ['B', 'KiB', 'MiB', 'GiB'], i = 0;
    while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
    return (i && b < 10 ? b.toFixed(1) : Math.round(b)) + ' ' + u[i];
  }
  function cpu(s) { return s === null || s === undefined ? '-' : s < 10 ? s.toFixed(2) + ' s' : dur(s); }
  function argv(words) { return words.join(' '); }
  function table(head, rows) {
    var tr = el('tr', null, head.map(function (h) { return el('th',
        /^(RSS|CPU|Uptime|Age|PID|Restarts|Incarnation)$/.test(h) ? 'num' : null, [h]); }));
    return el('table', null, [el('thead', null, [tr]), el('tbody', null, rows)]);
  }
  function section(title, note, body) {
    return el('section', null, [el('h2', null, [title, note ? el('small', null, [note]) : null]), body]);
  }
  function card(label, value, alert) {
    return el('div', 'card' + (alert ? ' alert' : ''), [el('b', null, [value]), el('span', null, [label])]);
  }
  function treeRows(nodes, depth, out) {
    nodes.forEach(function (n, i) {
      var last = i === nodes.length - 1;
      var lead = el('span', 'tree', [new Array(depth).join('   ') + (last ? '\\u2514\\u2500' : '\\u251c\\u2500')]);
      out.push(el('tr', 'sub', [
        el('td', 'num pid', [lead, n.pid]), el('td', null, [n.procState || '']), el('td', null, []), el('td',
            null, []), el('td', null, []),
        el('td', 'num', [bytes(n.rssBytes)]), el('td', 'num', [cpu(n.cpuSeconds)]),
        el('td', 'cmd', [n.argv.length ? argv(n.argv) : '[' + n.comm + ']'])
      ], { 'data-pid': n.pid }));
      treeRows(n.children, depth + 1, out);
    });
  }
  function children(d) {
    var groups = {};
    d.children.forEach(function (c) { (groups[c.owner] = groups[c.owner] || []).push(c); });
    var owners = Object.keys(groups).sort();
    if (!owners.length) return section('Children', null, el('div', 'empty', ['No live children.']));
    var rows = [];
    owners.forEach(function (o) {
      var list = groups[o], pty = list.filter(function (c) { return c.mode === 'pty'; }).length;
      rows.push(el('tr', 'owner', [el('td', null, [o, el('small', null,
          [list.length + ' running' + (pty ? ', ' + pty + ' pty' : '')])], { colspan: 8 })], { 'data-owner': o }));
      list.forEach(function (c) {
        rows.push(el('tr', 'child', [
          el('td', 'num pid', [c.pid]),
          el('td', null, [el('span', 'badge ' + c.state, [c.state])]),
          el('td', null, [el('span', 'badge mode', [c.mode])]),
          el('td', 'svc', [c.service || '']),
          el('td', 'num', [dur(c.uptimeSeconds)]),
          el('td', 'num', [bytes(c.rssBytes)]), el('td', 'num', [cpu(c.cpuSeconds)]),
          el('td', 'cmd', [argv([c.command].concat(c.args))])
        ], { 'data-pid': c.pid, 'data-owner': c.owner }));
        treeRows(c.tree, 1, rows);
      });
    });
    var n = d.children.length;
    return section('Children',
        n + (n === 1 ? ' child' : ' children') + ' of ' + owners.length + (owners.length === 1 ? ' owner' : ' owners'),
      table(['PID', 'State', 'Mode', 'Service', 'Uptime', 'RSS', 'CPU', 'Command'], rows));
  }
  var TONE = { ready: 'ok', running: 'ok', starting: 'warn', unready: 'warn', backoff: 'warn', stopping: 'warn',
    fatal: 'bad', exited: 'off', stopped: 'off' };
  function lastExit(x, now) {
    var e = x.lastExit;
    if (!e) return '-';
    var how = e.reason === 'spawn-failed' ? 'spawn failed' + (e.error ? ': ' + e.error : '')
      : e.signal ? e.signal : 'code ' + e.code;
    return how + (e.reason !== 'exit' && e.reason !== 'spawn-failed' ? ' (' + e.reason + ')' : '') + ', ' +
      dur((now - e.at) / 1000) + ' ago';
  }
  function services(d) {
    var list = d.services || [];
    if (!list.length) return null;
    var now = d.generatedAt;
    return section('Services', 'supervised, with their restarts', table(['Name', 'State', 'PID', 'Restarts',
        'Incarnation', 'Last exit', ''], list.map(function (x) {
      var wait = x.state === 'backoff' && x.nextStartAt !== null
        ? 'next start in ' + dur(Math.max(0, x.nextStartAt - now) / 1000) + ' (backoff ' + x.backoffMs + ' ms)' : '';
      return el('tr', 'service', [el('td', null, [x.name]),
        el('td', null, [el('span', 'badge s-' + (TONE[x.state] || 'off'), [x.state])]),
        el('td', 'num', [x.pid === null ? '-' : x.pid]), el('td', 'num', [x.restarts]),
        el('td', 'num', [x.incarnation]), el('td', null, [lastExit(x, now)]), el('td', 'cmd', [wait])],
        { 'data-service': x.name, 'data-state': x.state });
    })));
  }
  function orphans(d) {
    if (!d.orphans.length) return null;
    var rows = [];
    treeRows(d.orphans, 1, rows);
    return section('Adopted orphans', 'live processes reparented to this one, led by no child', table(['PID',
        'State', '', '', '', 'RSS', 'CPU', 'Command'], rows));
  }
  function reaps(d) {
    if (!d.reaper) return section('Reaper', null, el('div', 'empty',
        ['No reaper runs in this nursery (subreaper: false, not PID 1).']));
    var list = d.reaper.recent;
    if (!list.length) return section('Reaper', 'last reaped zombies', el('div', 'empty', ['Nothing reaped yet.']));
    var now = d.generatedAt;
    return section('Reaper', 'last reaped zombies, newest first', table(['Age', 'PID', 'Name', 'Status', 'From',
        'Path', ''],
      list.map(function (r) {
        var status = r.signal ? r.signal : 'exit ' + r.code;
        return el('tr', null, [el('td', 'num', [dur((now - r.at) / 1000)]), el('td', 'num', [r.pid]), el('td',
            null, [r.comm]),
          el('td', null, [status]), el('td', null,
              [r.owner ? r.owner + ' (session ' + r.session + ')' : 'session ' + r.session]),
          el('td', null, [r.path]), el('td', null, [r.leak ? el('span', 'badge leak', ['leak']) : null])]);
      })));
  }
  function daemons(d) {
    if (!d.daemons.length) return null;
    return section('Daemons', 'from the registry', table(['PID', 'ID', 'Owner', 'Uptime', 'RSS', 'CPU', 'Command'],
      d.daemons.map(function (x) {
        return el('tr', null, [el('td', 'num', [x.pid]), el('td', null, [x.id]), el('td', null, [x.owner]),
            el('td', 'num', [dur(x.uptimeSeconds)]),
          el('td', 'num', [bytes(x.rssBytes)]), el('td', 'num', [cpu(x.cpuSeconds)]), el('td', 'cmd',
              [argv([x.command].concat(x.args))])]);
      })));
  }
  function render(d) {
    var s = d.stats, h = d.host;
    document.title = 'nursery \\u00b7 ' + d.children.length + ' children \\u00b7 pid ' + h.pid;
    var meta = document.getElementById('meta');
    meta.replaceChildren(el('span', null, ['pid ' + h.pid]), el('span', null, ['up ' + dur(h.uptimeSeconds)]),
      el('span', null, ['RSS ' + bytes(h.rssBytes)]), el('span', null, ['CPU ' + cpu(h.cpuSeconds)]),
      el('span', null, [h.node]), el('span', null,
          [h.adoptsOrphans ? 'adopts orphans (subreaper or PID 1)' : 'not a subreaper']));
    var cards = el('div', 'cards', [card('running', s.running), card('spawned', s.spawned), card('exited', s.exited),
      card('stopped', s.stopped), card('timed out', s.timedOut), card('SIGKILLed', s.killedAfterGrace,
          s.killedAfterGrace > 0),
      card('spawn failures', s.spawnFailed, s.spawnFailed > 0), card('zombies reaped', s.reaped,
          s.reaped > 0 && !h.adoptsOrphans),
      card('orphans stopped', s.orphansKilled), card('daemons', s.daemons)]);
    var parts = [cards, services(d), children(d), orphans(d), reaps(d), daemons(d)];
    if (d.truncated) parts.unshift(el('div', 'empty', ['Process trees cut short: too many processes to list.']));
    document.getElementById('app').replaceChildren.apply(document.getElementById('app'), parts.filter(Boolean));
    document.getElementById('updated').textContent = 'updated ' + new Date(d.generatedAt).toLocaleTimeString();
  }
  function live(ok) {
    document.getElementById('dot').className = ok ? 'dot' : 'dot stale';
    if (!ok) document.getElementById('updated').textContent = 'disconnected, retrying';
  }
  function tick() {
    fetch(location.pathname + '?format=json', { headers: { accept: 'application/json' }, cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (d) { render(d); live(true); }, function () { live(false); })
      .then(function () { setTimeout(tick, REFRESH); });
  }
  render(JSON.parse(document.getElementById('data').textContent));
  setTimeout(tick, REFRESH);
})();
`;
