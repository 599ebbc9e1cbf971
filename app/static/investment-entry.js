// The investment entry form warns, as the amount is typed, when a disbursement is more than
// what remains of the commitment (the page gives that in fen: data-remaining-fen). The server
// applies the same rule on submit; without JavaScript its message is the only warning.
// Amounts are compared as whole fen (BigInt), never as floating point.
(function () {
  "use strict";
  function fen(text) {
    var clean = String(text).replace(/[\s,¥￥，]/g, "");
    var m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(clean);
    if (!m) { return null; }
    return BigInt(m[1]) * 100n + BigInt((m[2] || "").padEnd(2, "0"));
  }
  function start() {
    var facts = document.getElementById("commitment");
    var warning = document.getElementById("beyond-commitment");
    var type = document.getElementById("type");
    var amount = document.getElementById("amount");
    if (!facts || !warning || !type || !amount) { return; }
    var remaining = BigInt(facts.getAttribute("data-remaining-fen"));
    function check() {
      var value = fen(amount.value);
      var beyond = type.value === "DISBURSEMENT" && value !== null && value > remaining;
      warning.hidden = !beyond;
      if (beyond) {
        amount.setAttribute("aria-describedby", "beyond-commitment");
      } else {
        amount.removeAttribute("aria-describedby");
      }
    }
    amount.addEventListener("input", check);
    type.addEventListener("change", check);
    check();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
