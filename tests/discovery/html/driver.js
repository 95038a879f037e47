// Runs after the page's own script (appended before </body>, with the page's nonce): reads the
// figures, drives sorting and filtering as a person would (clicks, typing), looks for the
// hostile program name, and writes everything as JSON into a PRE element "test-results" for
// --dump-dom. TF_HOSTILE (the hostile executable's path) is defined just before this file.
(function () {
  'use strict';
  var out = { figures: {}, bars: [], rows: {}, sort: {}, filter: {}, hostile: {}, exceptions: [] };
  function text(id) { var e = document.getElementById(id); return e ? e.textContent : null; }
  function column(table, key) {
    var ths = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var i = ths.findIndex(function (th) { return th.getAttribute('data-key') === key; });
    return Array.prototype.map.call(table.tBodies[0].rows, function (r) { return r.cells[i].textContent; });
  }
  function header(table, key) { return table.querySelector('th[data-key="' + key + '"]'); }
  function visible(table) {
    return Array.prototype.filter.call(table.tBodies[0].rows, function (r) {
      return !r.hidden && r.getClientRects().length > 0;
    }).length;
  }
  function type(input, value) {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }
  function step(name, fn) {
    try { fn(); } catch (e) { out.exceptions.push(name + ': ' + String(e && e.stack || e)); }
  }
  step('figures', function () {
    ['pinning', 'legacy', 'basic', 'uncovered', 'failed'].forEach(function (f) {
      out.figures[f] = text('fig-' + f + '-n');
    });
    out.figures.records = text('records');
    out.figures.handshakes = text('handshakes');
    out.figures.below_floor = text('below-floor');
  });
  step('chart', function () {
    document.querySelectorAll('#chart-versions g.bar').forEach(function (g) {
      var rect = g.querySelector('rect');
      out.bars.push({ version: g.getAttribute('data-version'), count: g.getAttribute('data-count'),
                      shown: g.querySelector('text.value').textContent, cls: rect.getAttribute('class'),
                      width: rect.getBBox().width });
    });
  });
  step('rows', function () {
    document.querySelectorAll('table.sortable').forEach(function (t) { out.rows[t.id] = t.tBodies[0].rows.length; });
  });
  step('sort', function () {
    // sorting: a numeric column up and down, a text column up
    var programs = document.getElementById('programs');
    header(programs, 'records').click();
    out.sort.records_up = column(programs, 'records');
    out.sort.records_up_aria = header(programs, 'records').getAttribute('aria-sort');
    header(programs, 'records').click();
    out.sort.records_down = column(programs, 'records');
    out.sort.records_down_aria = header(programs, 'records').getAttribute('aria-sort');
    header(programs, 'exe').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    out.sort.exe_up = column(programs, 'exe');
  });
  step('filter', function () {
    // filtering: words that must all appear, case-insensitively; then nothing; then cleared
    var findings = document.getElementById('findings'), box = document.getElementById('findings-filter');
    type(box, 'BASIC authentication');
    out.filter.basic = visible(findings);
    out.filter.basic_label = text('findings-shown');
    type(box, 'legacy endpoint office365');
    out.filter.legacy_office365 = visible(findings);
    type(box, 'no-such-thing-anywhere');
    out.filter.none = visible(findings);
    type(box, '');
    out.filter.cleared = visible(findings);
  });
  step('hostile', function () {
    // the hostile name: shown as text in cells, nothing injected, nothing run
    out.hostile.cells = Array.prototype.filter.call(document.querySelectorAll('td'), function (td) {
      return td.textContent === TF_HOSTILE;
    }).length;
    out.hostile.pwned = window.tfPwned === undefined ? null : String(window.tfPwned);
    out.hostile.images = document.querySelectorAll('img').length;
    out.hostile.handlers = document.querySelectorAll('[onerror],[onload],[onclick]').length;
    out.hostile.scripts = Array.prototype.filter.call(document.scripts, function (s) {
      return !s.hasAttribute('data-test');
    }).map(function (s) { return s.id || s.type || 'inline'; });
  });
  step('data', function () {
    out.data = JSON.parse(document.getElementById('tlsfloor-data').textContent);
    out.resources = performance.getEntriesByType('resource').map(function (r) { return r.name; });
    out.save_button_shown = !document.getElementById('save-json').hidden;
  });
  out.errors = window.tfTest.errors;
  out.console = window.tfTest.console;
  var pre = document.createElement('pre');
  pre.id = 'test-results';
  pre.hidden = true;
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
