// Progressive enhancement only: every page works without it.
//
// A form posted once is not posted again by a second click (a double click on "Lưu") while
// its answer is on its way: the second would reach the server after the first had saved, and
// be refused as made on a page shown before that save ("vừa được sửa ở nơi khác"), which the
// person would then read instead of the first answer. Held for a few seconds only, since an
// answer that is a download leaves the page where it is; released when the page is shown
// again from the browser's history.
(function () {
  'use strict';
  var HOLD_MS = 4000;
  document.addEventListener('submit', function (e) {
    var f = e.target;
    if (e.defaultPrevented || !f || (f.method || '').toLowerCase() !== 'post') {
      return;
    }
    if (f.getAttribute('data-sent')) {
      e.preventDefault();
      return;
    }
    f.setAttribute('data-sent', '1');
    window.setTimeout(function () { f.removeAttribute('data-sent'); }, HOLD_MS);
  });
  // "Back to the form" on a page refusing a form: the browser's Back, which keeps what was
  // typed in it; the link itself would open the form's page afresh.
  document.addEventListener('click', function (e) {
    var a = e.target && e.target.closest ? e.target.closest('a[data-back]') : null;
    if (a && window.history.length > 1) {
      e.preventDefault();
      window.history.back();
    }
  });
  window.addEventListener('pageshow', function () {
    var sent = document.querySelectorAll('form[data-sent]');
    for (var i = 0; i < sent.length; i++) {
      sent[i].removeAttribute('data-sent');
    }
  });
})();
