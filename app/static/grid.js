/* The observation grid (statements/observations.html) as a spreadsheet, for people who enter
   numbers all day. Served by the app (CSP script-src 'self'); without it the grid is a plain form.
   - Enter or ArrowDown: the same indicator of the next project; Shift+Enter or ArrowUp: the
     previous one. ArrowLeft/ArrowRight at the start/end of the text: the cell beside. Enter never
     submits the form (the Save button does).
   - On leaving a cell, a number is written with thousands separators at the indicator's places
     ("24442361.33" → "24,442,361.33"); anything else is left for the server to name.
   - A cell whose value differs (as a number) from the hidden shown: value is marked "changed";
     leaving the page with changed cells asks first (beforeunload), saving does not. */
(function () {
  "use strict";

  function plain(text) {
    // "24,442,361.33" / "２４４" / "¥ 1 234.5" → "1234.5"; null when it is no plain number
    var t = String(text).replace(/[\uFF10-\uFF19]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFF10 + 48);
    }).replace(/\uFF0E/g, ".").replace(/[\uFF0C,\s¥￥]/g, "");
    if (t === "") { return ""; }
    return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(t) ? t.replace(/^\+/, "") : null;
  }

  function canonical(text) {
    // a plain number without leading zeros or trailing fraction zeros, for comparing
    var t = plain(text);
    if (t === null || t === "") { return t; }
    var sign = t.charAt(0) === "-" ? "-" : "";
    t = t.replace(/^-/, "");
    var parts = t.split("."), whole = parts[0].replace(/^0+/, "") || "0";
    var frac = (parts[1] || "").replace(/0+$/, "");
    if (whole === "0" && frac === "") { sign = ""; }
    return sign + whole + (frac ? "." + frac : "");
  }

  function formatted(text, places) {
    var t = plain(text);
    if (t === null || t === "") { return text.trim(); }
    var sign = t.charAt(0) === "-" ? "-" : "";
    t = t.replace(/^-/, "");
    var parts = t.split("."), whole = parts[0].replace(/^0+(?=\d)/, "") || "0";
    var frac = parts[1] || "";
    if (frac.length > places && /[1-9]/.test(frac.slice(places))) { return text.trim(); }
    frac = frac.slice(0, places);
    while (frac.length < places) { frac += "0"; }
    whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + whole + (places > 0 ? "." + frac : "");
  }

  function init(table) {
    var form = table.closest("form");
    var inputs = Array.prototype.slice.call(table.querySelectorAll("td.field input[name]:not([type=hidden])"));
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var saving = false;

    function shownOf(input) {
      var hidden = form.querySelector('input[type=hidden][name="shown:' + input.name + '"]');
      return hidden ? hidden.value : "";
    }
    function mark(input) {
      var now = canonical(input.value), was = canonical(shownOf(input));
      input.closest("td").classList.toggle("changed", now === null || now !== was);
    }
    function cellAt(rowIndex, colIndex) {
      var row = rows[rowIndex];
      if (!row) { return null; }
      var cells = row.querySelectorAll("td.field input[name]:not([type=hidden])");
      return cells[colIndex] || null;
    }
    function position(input) {
      var row = input.closest("tr");
      var cells = Array.prototype.slice.call(row.querySelectorAll("td.field input[name]:not([type=hidden])"));
      return [rows.indexOf(row), cells.indexOf(input)];
    }
    function go(target) {
      if (target) { target.focus(); target.select(); }
    }

    inputs.forEach(function (input) {
      input.addEventListener("input", function () { mark(input); });
      input.addEventListener("blur", function () {
        var places = parseInt(input.dataset.places || "2", 10);
        var text = formatted(input.value, places);
        if (text !== input.value) { input.value = text; }
        mark(input);
      });
      input.addEventListener("keydown", function (event) {
        if (event.altKey || event.ctrlKey || event.metaKey) { return; }
        var at = position(input), key = event.key, target = null;
        if (key === "Enter") {
          target = cellAt(at[0] + (event.shiftKey ? -1 : 1), at[1]);
          event.preventDefault();  // Enter moves; the Save button saves
        } else if (key === "ArrowDown") {
          target = cellAt(at[0] + 1, at[1]);
        } else if (key === "ArrowUp") {
          target = cellAt(at[0] - 1, at[1]);
        } else if (key === "ArrowLeft" && input.selectionStart === 0 && input.selectionEnd === 0) {
          target = cellAt(at[0], at[1] - 1);
        } else if (key === "ArrowRight" && input.selectionStart === input.value.length) {
          target = cellAt(at[0], at[1] + 1);
        } else {
          return;
        }
        if (target) { event.preventDefault(); go(target); }
      });
      mark(input);
    });

    form.addEventListener("submit", function () { saving = true; });
    window.addEventListener("beforeunload", function (event) {
      if (saving || !table.querySelector("td.changed")) { return undefined; }
      event.preventDefault();
      event.returnValue = table.dataset.unsaved || "";
      return event.returnValue;
    });

    // the second header row sits under the first however tall the indicator names wrap
    var first = table.querySelector("thead tr.head-1");
    function headHeight() {
      if (first) { table.style.setProperty("--grid-head-1", first.getBoundingClientRect().height + "px"); }
    }
    headHeight();
    window.addEventListener("resize", headHeight);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("table.grid"), init);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
