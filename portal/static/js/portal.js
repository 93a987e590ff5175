/* Portal behaviour without inline handlers (the Content-Security-Policy allows
   scripts from this site only). */
(function () {
  'use strict';
  document.addEventListener('click', function (event) {
    var action = event.target.closest('[data-portal-action]');
    if (action) {
      event.preventDefault();
      if (window.modelActions) { window.modelActions.execute(action.getAttribute('data-portal-action')); }
      return;
    }
    var add = event.target.closest('[data-inline-add]');
    if (add) {
      event.preventDefault();
      if (window.faForm) { window.faForm.addInlineField(add, add.getAttribute('data-inline-add')); }
      return;
    }
    if (event.target.closest('[data-print]')) {
      event.preventDefault();
      window.print();
      return;
    }
    var confirmable = event.target.closest('[data-confirm-click]');
    if (confirmable && !window.confirm(confirmable.getAttribute('data-confirm-click'))) {
      event.preventDefault();
    }
  });
  document.addEventListener('submit', function (event) {
    var question = event.target.getAttribute('data-confirm');
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
})();
