/* The audit checklist: keyboard navigation between checks and progress kept up to date
   as rows are saved (saving itself is autosave.js). */
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll(".check-row"));
  var progress = document.getElementById("checklist-progress");
  if (!rows.length) return;

  function current() {
    var active = document.activeElement;
    return active && active.closest ? active.closest(".check-row") : null;
  }
  function focusRow(index) {
    var row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    row.focus();
    row.scrollIntoView({ block: "center", behavior: "smooth" });
  }
  function checkedValue(row) {
    var checked = row.querySelector("input[type=radio]:checked");
    return checked ? checked.value : "non_evalue";
  }
  function updateProgress(delta) {
    if (!progress || !delta) return;
    var done = parseInt(progress.dataset.done, 10) + delta;
    var total = parseInt(progress.dataset.total, 10);
    progress.dataset.done = done;
    progress.querySelector("progress").value = done;
    progress.querySelector(".progress-text").textContent = done + "/" + total;
    progress.querySelector(".progress-percent").textContent = total ? Math.round(100 * done / total) : 0;
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && target.type !== "radio") || target.tagName === "SELECT") {
      if (event.key === "Escape") { var r = current(); if (r) r.focus(); }
      return;
    }
    var row = current();
    var index = row ? rows.indexOf(row) : -1;
    if (event.key === "j" || event.key === "ArrowDown") { event.preventDefault(); focusRow(index + 1); }
    else if (event.key === "k" || event.key === "ArrowUp") { event.preventDefault(); focusRow(index - 1); }
    else if (row && /^[1-6]$/.test(event.key)) {
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

  // A row's save succeeded when autosave.js marks its state "ok": count it then, not before.
  rows.forEach(function (row) {
    var state = row.querySelector(".save-state");
    if (!state) return;
    new MutationObserver(function () {
      if (!state.classList.contains("ok")) return;
      var before = row.dataset.result, after = checkedValue(row);
      if (before === after) return;
      row.dataset.result = after;
      updateProgress((after !== "non_evalue" ? 1 : 0) - (before !== "non_evalue" ? 1 : 0));
    }).observe(state, { attributes: true, attributeFilter: ["class"] });
  });
})();
