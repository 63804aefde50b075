/* Counts down every notification clock on the page. The server already wrote the
   remaining time (this script only keeps it moving): each element carries its deadline
   in UTC (data-due) and the translated wording (data-left, data-late, data-units). */
(function () {
  "use strict";

  function duration(seconds, units) {
    var minutes = Math.floor(Math.max(seconds, 0) / 60);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    var mm = (mins < 10 ? "0" : "") + mins;
    var secs = Math.floor(Math.max(seconds, 0) % 60);
    var ss = (secs < 10 ? "0" : "") + secs;
    if (days) return days + " " + units[0] + " " + hours + " " + units[1] + " " + mm + " " + units[2];
    return hours + " " + units[1] + " " + mm + " " + units[2] + " " + ss + " s";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll(".clock[data-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.due);
      if (isNaN(due)) return;
      var left = Math.round((due - now) / 1000);
      var units = (el.dataset.units || "d,h,min").split(",");
      var text = left >= 0
        ? (el.dataset.left || "%s").replace("%s", duration(left, units))
        : (el.dataset.late || "%s").replace("%s", duration(-left, units));
      var target = el.querySelector(".clock-text") || el;
      if (target.textContent !== text) target.textContent = text;
      el.classList.toggle("overdue", left < 0);
      el.classList.toggle("soon", left >= 0 && left < 2 * 3600);
    });
  }

  tick();
  window.setInterval(tick, 1000);
})();
