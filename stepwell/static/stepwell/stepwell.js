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
