/* The user form's grant rows: choosing a role points the row's scope search at what that role
   is scoped to (funds for a fund manager, regions otherwise), shows the matching hint and empties
   a scope of the other kind. An administrator has no scope: the box is disabled. Without this
   script the server reads the role and the typed scope as they are. */
(function () {
  "use strict";

  function hints() {
    var found = {};
    var template = document.getElementById("scope-hints");
    if (!template) { return found; }
    var spans = template.content.querySelectorAll("span[data-role]");
    for (var i = 0; i < spans.length; i++) { found[spans[i].dataset.role] = spans[i].textContent; }
    return found;
  }

  function wire(select, texts) {
    var row = select.closest(".grant-row");
    var scope = row && row.querySelector("input[data-lookup]");
    if (!scope) { return; }
    var hint = row.querySelector("[data-scope-hint]");
    var nameBox = document.getElementById(scope.dataset.name);
    function kindOf(role) { return role === "FUND_MANAGER" ? "funds" : "regions"; }
    var kind = kindOf(select.value);

    function apply() {
      var role = select.value;
      var next = kindOf(role);
      scope.dataset.lookup = next === "funds" ? scope.dataset.lookupFunds : scope.dataset.lookupRegions;
      if (next !== kind) {  // a region code is no fund, and the other way round
        scope.value = "";
        if (nameBox) { nameBox.textContent = ""; }
      }
      kind = next;
      var isAdmin = role === "ADMIN";
      if (isAdmin && scope.value) { scope.value = ""; if (nameBox) { nameBox.textContent = ""; } }
      scope.disabled = isAdmin;
      if (hint && texts[role] !== undefined) { hint.textContent = texts[role]; }
    }

    select.addEventListener("change", apply);
    scope.disabled = select.value === "ADMIN" && !scope.value;
  }

  function start() {
    var texts = hints();
    var selects = document.querySelectorAll("select[data-grant-role]");
    for (var i = 0; i < selects.length; i++) { wire(selects[i], texts); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
