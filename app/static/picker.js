/* Pickers: every <input data-lookup="/lookup/regions"> becomes a search-as-you-type combobox
   (WAI-ARIA combobox with a listbox popup). Typing part of a code or a name lists up to 20
   matches from the server; ArrowDown/ArrowUp move through them, Enter picks one (the input then
   holds the code and the name shows beside it), Escape closes the list. Without this script the
   input is a plain text box that takes a code. No inline script: the CSP allows 'self' only. */
(function () {
  "use strict";
  var counter = 0;

  function enhance(input) {
    var n = ++counter;
    var wrapper = input.parentNode;
    if (!wrapper.classList.contains("picker")) {
      wrapper = document.createElement("span");
      wrapper.className = "picker";
      input.parentNode.insertBefore(wrapper, input);
      wrapper.appendChild(input);
    }
    var nameBox = input.dataset.name && document.getElementById(input.dataset.name);
    if (!nameBox) {
      nameBox = document.createElement("span");
      nameBox.className = "picker-name";
      nameBox.id = "picker-name-" + n;
      wrapper.appendChild(nameBox);
      input.setAttribute("aria-describedby", nameBox.id);
    }
    var list = document.createElement("ul");
    list.className = "picker-list";
    list.id = "picker-list-" + n;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    if (input.labels && input.labels.length) {
      list.setAttribute("aria-label", input.labels[0].textContent.trim());
    }
    wrapper.appendChild(list);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");

    var results = [];
    var active = -1;
    var timer = null;
    var sequence = 0;

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var items = list.children;
      for (var i = 0; i < items.length; i++) {
        items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var match = results[index];
      if (!match) { return; }
      input.value = match.code;
      nameBox.textContent = match.name;
      close();
      input.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function show(matches) {
      results = matches;
      list.textContent = "";
      matches.forEach(function (match, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = match.code + " " + match.name;
        if (match.detail) {
          var detail = document.createElement("span");
          detail.className = "detail";
          detail.textContent = match.detail;
          item.appendChild(detail);
        }
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();  // keep the focus in the input
          choose(i);
        });
        list.appendChild(item);
      });
      if (matches.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        highlight(-1);
      } else {
        close();
      }
      var exact = matches.filter(function (m) { return m.code === input.value.trim(); })[0];
      nameBox.textContent = exact ? exact.name : "";
    }

    function search() {
      var query = input.value.trim();
      var mine = ++sequence;
      if (!query) { results = []; close(); nameBox.textContent = ""; return; }
      fetch(input.dataset.lookup + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin", headers: {"Accept": "application/json"}
      }).then(function (response) {
        return response.ok ? response.json() : {results: []};
      }).then(function (body) {
        if (mine === sequence && document.activeElement === input) { show(body.results || []); }
      }).catch(function () { /* offline: the plain input still takes a code */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { if (results.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); highlight(0); } else { search(); } return; }
        highlight(Math.min(active + 1, results.length - 1));
      } else if (event.key === "ArrowUp") {
        if (!open) { return; }
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (open && active >= 0) { event.preventDefault(); choose(active); }
        else if (open) { close(); }
      } else if (event.key === "Escape") {
        if (open) { event.preventDefault(); close(); }
      } else if (event.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function start() {
    var inputs = document.querySelectorAll("input[data-lookup]");
    for (var i = 0; i < inputs.length; i++) { enhance(inputs[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
