/* The audit checklist's keyboard: j / k (or ↓ / ↑) between checks, 1 to 6 for the result,
   n for the note, Esc back to the row. Saving and the progress bar are htmx's (each row
   posts itself and comes back rendered by the server, see inline-save.js); rows are looked
   up at each key press because a saved row is a new element. */
(function () {
  "use strict";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll(".check-row"));
  }
  function current() {
    var active = document.activeElement;
    return active && active.closest ? active.closest(".check-row") : null;
  }
  function focusRow(all, index) {
    if (!all.length) return;
    var row = all[Math.max(0, Math.min(all.length - 1, index))];
    row.focus();
    row.scrollIntoView({ block: "center", behavior: "smooth" });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type !== "radio") || target.tagName === "SELECT") {
      if (event.key === "Escape") { var r = current(); if (r) r.focus(); }
      return;
    }
    var row = current();
    if (event.key === "j" || event.key === "ArrowDown" || event.key === "k" || event.key === "ArrowUp") {
      var all = rows();
      if (!all.length) return;
      var index = row ? all.indexOf(row) : -1;
      event.preventDefault();
      focusRow(all, event.key === "j" || event.key === "ArrowDown" ? index + 1 : index - 1);
    } else if (row && /^[1-6]$/.test(event.key)) {
      var radios = row.querySelectorAll("input[type=radio]");
      var radio = radios[parseInt(event.key, 10) - 1];
      if (radio && !radio.disabled) {
        event.preventDefault();
        radio.checked = true;
        radio.dispatchEvent(new Event("change", { bubbles: true }));
      }
    } else if (row && event.key === "n") {
      var notes = row.querySelector("textarea");
      if (notes && !notes.disabled) { event.preventDefault(); notes.focus(); }
    }
  });
})();
