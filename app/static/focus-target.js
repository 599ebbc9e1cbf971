// A link to "#answer-12" (the home page's "Answer" of a query) lands on that answer box and
// focuses it, so the bureau can type at once. Only elements marked data-focus-on-target.
(function () {
  "use strict";
  function focusTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) { return; }
    var box = document.getElementById(id);
    if (box && box.hasAttribute("data-focus-on-target")) {
      box.scrollIntoView({block: "center"});
      box.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusTarget);
  } else {
    focusTarget();
  }
  window.addEventListener("hashchange", focusTarget);
})();
