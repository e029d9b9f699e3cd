// A textarea with data-counter="ID" shows "n / max caractères" in the element ID as it is typed (the page
// renders the first count itself, so the counter is there without JavaScript).
for (const field of document.querySelectorAll("textarea[data-counter]")) {
  const counter = document.getElementById(field.dataset.counter);
  const update = () => {
    counter.textContent = `${field.value.length} / ${field.maxLength} caractères`;
  };
  field.addEventListener("input", update);
}
