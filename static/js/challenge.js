// One click is enough: a second one while the page loads would post the answer twice.
document.querySelectorAll(".challenge-form").forEach(function (form) {
  form.addEventListener("submit", function () {
    setTimeout(function () {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    }, 0);
  });
});
