// Stepwell's page behaviour. It is a static file because the Content-Security-Policy
// allows no inline scripts or on...= event handlers in templates.
"use strict";

// <select data-navigate> goes to the address of the chosen option (e.g. switching program).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-navigate")) {
    window.location.assign(target.value);
  }
});

// A button or form with data-confirm asks before an action that cannot be undone (sign a
// note, an assessment or a plan; accept a schedule). Capture phase, so a "Cancel" stops
// the submission before htmx or the browser sees it.
document.addEventListener(
  "submit",
  function (event) {
    var form = event.target;
    var button = event.submitter;
    var message =
      (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true
);
