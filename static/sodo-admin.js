/* Handlers for the admin pages, attached here instead of inline attributes so the
   Content-Security-Policy can forbid inline scripts. */
(function () {
  "use strict";
  // Flask-Admin's links do nothing by themselves (href="javascript:void(0)"): following one
  // is running an inline script, which the CSP refuses and logs. Cancelled while capturing,
  // since the menu's dropdown hack stops the click's propagation before it bubbles here.
  document.addEventListener(
    "click",
    function (event) {
      if (event.target.closest && event.target.closest("a[href^='javascript:']")) {
        event.preventDefault();
      }
    },
    true
  );
  document.addEventListener("click", function (event) {
    var target = event.target.closest(
      "[data-sodo-confirm], [data-sodo-inline-add], [data-sodo-action]"
    );
    if (!target) {
      return;
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
