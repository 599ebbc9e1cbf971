/* Small screens: the header's menu button shows or hides the navigation. The button is hidden
   until this script runs, so without JavaScript the navigation is simply shown, wrapped. The
   CSS decides when the button appears (narrow windows only); no inline script (CSP). */
(function () {
  "use strict";
  var header = document.querySelector(".topbar");
  var button = header && header.querySelector(".menu-toggle");
  if (!button) { return; }
  header.classList.add("collapsible");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = header.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
