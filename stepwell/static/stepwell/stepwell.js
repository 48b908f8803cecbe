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

// Drafts are saved as the user types: a form with data-autosave is posted (as its "save"
// action, the attribute's value) a few seconds after the last keystroke, through the
// same view and service as the Save button, so an idle logout loses nothing. The status
// line says when the draft was last saved, or that it was not.
var AUTOSAVE_DELAY_MS = 2500;
var autosaveTimers = new WeakMap();

function autosaveNow(form) {
  var data = new FormData(form);
  var action = form.getAttribute("data-autosave");
  if (action) {
    data.set("action", action);
  }
  var status = form.querySelector("[data-autosave-status]");
  return fetch(form.getAttribute("action") || window.location.href, {
    method: "POST",
    body: data,
    credentials: "same-origin",
  })
    .then(function (response) {
      var saved = response.ok && response.redirected;
      if (status) {
        var now = new Date();
        var clock = now.toTimeString().slice(0, 5);
        status.textContent = saved
          ? "Draft saved at " + clock + "."
          : "Draft not saved at " + clock + ": press Save draft to see what is missing.";
        status.setAttribute("data-saved", saved ? "yes" : "no");
      }
      idleRestart(response.headers.get("X-Idle-Seconds"));
    })
    .catch(function () {
      if (status) {
        status.textContent = "Draft not saved: the connection was lost.";
        status.setAttribute("data-saved", "no");
      }
    });
}

document.addEventListener("input", function (event) {
  var form = event.target.closest && event.target.closest("form[data-autosave]");
  if (!form) {
    return;
  }
  clearTimeout(autosaveTimers.get(form));
  autosaveTimers.set(
    form,
    setTimeout(function () {
      autosaveTimers.delete(form);
      autosaveNow(form);
    }, AUTOSAVE_DELAY_MS)
  );
});

function autosavePending() {
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    if (autosaveTimers.has(form)) {
      clearTimeout(autosaveTimers.get(form));
      autosaveTimers.delete(form);
      autosaveNow(form);
    }
  });
}

// A minute before an idle session ends, the page says so. The server says how many
// seconds are left: on the page (data-idle-seconds) and on every answer (X-Idle-Seconds,
// as the session's expiry is pushed forward at most once a minute); any request (a draft
// saved, an htmx update, "Stay signed in") starts the count again from what it says.
var idleTimer = null;

function idleRestart(secondsLeft) {
  var body = document.body;
  if (!body || !body.hasAttribute("data-idle-seconds")) {
    return;
  }
  var told = parseInt(secondsLeft, 10);
  if (told >= 0) {
    body.setAttribute("data-idle-seconds", String(told));
  }
  var seconds = parseInt(body.getAttribute("data-idle-seconds"), 10);
  if (!(seconds >= 0)) {
    return;
  }
  var warning = document.getElementById("idle-warning");
  if (warning) {
    warning.hidden = true;
  }
  clearTimeout(idleTimer);
  idleTimer = setTimeout(function () {
    autosavePending();
    if (warning) {
      warning.hidden = false;
    }
  }, Math.max(seconds - 60, 0) * 1000);
}

document.addEventListener("DOMContentLoaded", function () {
  idleRestart();
});
document.addEventListener("htmx:afterRequest", function (event) {
  var xhr = event.detail && event.detail.xhr;
  idleRestart(xhr ? xhr.getResponseHeader("X-Idle-Seconds") : null);
});
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-stay-signed-in]")) {
    fetch(window.location.href, { method: "GET", credentials: "same-origin" }).then(
      function (response) {
        idleRestart(response.headers.get("X-Idle-Seconds"));
      },
    );
  }
});
