/* Handlers for the admin pages, attached here instead of inline attributes so the
   Content-Security-Policy can forbid inline scripts. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest(
      "[data-sodo-confirm], [data-sodo-inline-add], [data-sodo-action], a[href^='javascript:']"
    );
    if (!target) {
      return;
    }
    if (target.matches("a[href^='javascript:']")) {
      event.preventDefault();
    }
    if (target.dataset.sodoConfirm !== undefined && !window.confirm(target.dataset.sodoConfirm)) {
      event.preventDefault();
      event.stopPropagation();
    }
    if (target.dataset.sodoInlineAdd) {
      window.faForm.addInlineField(target, target.dataset.sodoInlineAdd);
    }
    if (target.dataset.sodoAction) {
      window.modelActions.execute(target.dataset.sodoAction);
    }
  });
})();
