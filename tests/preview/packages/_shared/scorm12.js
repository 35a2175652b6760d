// Shared by the purpose-built vendor packages (the test zips this folder into each as shared/):
// SCORM 1.2 API discovery and thin call helpers, so each package's page shows only the ONE thing
// it does wrong. Written for these tests; no package here depends on courseforge's runtime.
"use strict";

window.Sco = (function () {
  // SCORM 1.2 discovery: this window and up to 7 parents, then the opener's chain.
  function findApi(win) {
    for (let hops = 0; win && hops <= 7; hops += 1) {
      if (win.API) return win.API;
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  }

  const api = findApi(window) || (window.opener ? findApi(window.opener) : null);
  let finished = false;

  function set(element, value) {
    return api.LMSSetValue(element, value);
  }

  function commit() {
    return api.LMSCommit("");
  }

  // Idempotent: a page may reach it from a button and again from pagehide.
  function finish() {
    if (finished) return;
    finished = true;
    set("cmi.core.session_time", "0000:00:05");
    api.LMSFinish("");
  }

  // What a well-behaved SCO does when the learner closes the window: finish once on pagehide.
  function finishOnClose() {
    window.addEventListener("pagehide", finish);
  }

  return {
    api: api,
    start: function () { return api.LMSInitialize(""); },
    get: function (element) { return api.LMSGetValue(element); },
    set: set,
    commit: commit,
    finish: finish,
    finishOnClose: finishOnClose,
  };
})();
