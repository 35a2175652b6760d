/*
 * The contents list folds behind its "Contents" button on small screens, so a screen's heading is the
 * first thing a learner sees there; the theme's CSS decides when the button shows. Without this script
 * the button stays hidden and the list open.
 */
(function (root) {
  "use strict";

  var doc = root.document;

  function start() {
    var toggle = doc.querySelector(".cf-contents-toggle");
    var list = toggle && doc.getElementById(toggle.getAttribute("aria-controls"));
    if (!list) return;
    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    setOpen(false);
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    // Choosing a screen folds the list again; the player then moves focus to the screen's heading.
    list.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest("a")) setOpen(false);
    });
    list.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || toggle.getAttribute("aria-expanded") !== "true") return;
      setOpen(false);
      toggle.focus();
    });
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
})(window);
