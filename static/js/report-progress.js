/* The build page of a report: asks the server every 2 seconds how far the build is and updates
   the progress bar and the status message (an aria-live region) until the build is finished.
   Without JavaScript the page offers a "Vernieuwen" link instead. No inline script (CSP). */
(function () {
  "use strict";

  var INTERVAL_MS = 2000;
  var section = document.getElementById("build");
  if (!section || !window.fetch) {
    return;
  }
  var url = section.getAttribute("data-status-url");
  var bar = document.getElementById("build-bar");
  var message = document.getElementById("build-message");
  var refresh = document.getElementById("build-refresh");
  var done = document.getElementById("build-done");
  var failed = document.getElementById("build-failed");

  function setText(element, text) {
    if (element && element.textContent !== text) {
      element.textContent = text;  // text only: nothing from the server becomes markup
    }
  }

  function show(state) {
    bar.value = state.progress;
    bar.textContent = state.progress + "%";
    setText(message, state.message);
    section.setAttribute("data-state", state.status);
    if (state.status === "done") {
      document.getElementById("build-pdf").href = state.pdf_url;
      document.getElementById("build-excel").href = state.excel_url;
      setText(document.getElementById("build-report-title"), state.report_title || "");
      done.hidden = false;
    }
    if (state.status === "failed") {
      setText(document.getElementById("build-error"), state.error || "");
      failed.hidden = false;
    }
    if (state.finished) {
      refresh.hidden = true;
    }
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        // A signed-out session answers with the sign-in page: stop, the "Vernieuwen" link remains.
        if (!response.ok || type.indexOf("application/json") !== 0) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (!state.finished) {
          window.setTimeout(poll, INTERVAL_MS);
        }
      })
      .catch(function () {
        refresh.hidden = false;
      });
  }

  var initial = section.getAttribute("data-state");
  if (initial !== "done" && initial !== "failed") {
    window.setTimeout(poll, INTERVAL_MS);
  }
}());
