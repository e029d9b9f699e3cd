// The certification test's time left: counted down every second from the server's figure (the page says it in
// words without JavaScript). Screen readers hear it only at a few steps, not every second; at zero the page is
// reloaded and the server ends the test.
document.querySelectorAll("[data-countdown]").forEach(function (clock) {
  var end = Date.now() + 1000 * parseInt(clock.dataset.countdown, 10);
  var label = clock.querySelector("[data-countdown-label]");
  var shown = clock.querySelector("[data-countdown-text]");
  var spoken = clock.querySelector("[data-countdown-live]");
  var steps = [30, 15, 10, 5, 1]; // minutes left announced
  var announced = Infinity;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function text(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    return (h ? h + " h " + pad(m) + " min " : m + " min ") + pad(s) + " s";
  }
  label.textContent = "Temps restant :";
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    shown.textContent = text(left);
    steps.forEach(function (step) {
      if (left <= step * 60 && step < announced && left > 0) {
        announced = step;
        spoken.textContent = "Il reste " + step + (step > 1 ? " minutes." : " minute.");
      }
    });
    if (left === 0) {
      spoken.textContent = "Le temps est écoulé.";
      clearInterval(timer);
      setTimeout(function () { window.location.reload(); }, 1500);
    }
  }
  var timer = setInterval(tick, 1000);
  // Steps already passed when the page loads are not announced again.
  steps.forEach(function (step) { if (parseInt(clock.dataset.countdown, 10) <= step * 60) { announced = step; } });
  tick();
});
