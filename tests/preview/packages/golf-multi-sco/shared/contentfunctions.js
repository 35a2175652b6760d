// The content pages' pager: one <section class="screen"> at a time, a "Next" button, the screen
// number kept in lesson_location and committed on every move, "completed" on the last screen.
"use strict";

(function () {
  const screens = Array.from(document.querySelectorAll("section.screen"));
  const next = document.getElementById("next");
  let current = 0;

  function show(index) {
    screens.forEach(function (screen, i) { screen.hidden = i !== index; });
    current = index;
    next.hidden = index === screens.length - 1;
    Sco.set("cmi.core.lesson_location", String(index + 1));
    if (index === screens.length - 1) {
      Sco.set("cmi.core.lesson_status", "completed");
    }
    Sco.commit();
  }

  Sco.start();
  Sco.set("cmi.core.lesson_status", "incomplete");
  Sco.finishOnClose();
  next.addEventListener("click", function () { show(current + 1); });
  show(0);
})();
