// Loaded first (after the page's CSP meta, with its nonce): records every error and console
// call the page makes, so the driver can report them even when Chromium's log misses one.
window.tfTest = { errors: [], console: [] };
window.addEventListener('error', function (e) { window.tfTest.errors.push(String(e.message || e)); });
window.addEventListener('securitypolicyviolation', function (e) {
  window.tfTest.errors.push('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI);
});
['log', 'info', 'warn', 'error', 'debug'].forEach(function (level) {
  var real = console[level];
  console[level] = function () {
    window.tfTest.console.push(level + ': ' + Array.prototype.join.call(arguments, ' '));
    return real.apply(console, arguments);
  };
});
