// Evidence pages: ask before a form marked data-confirm is sent (unlinking a requirement).
document.addEventListener("submit", (event) => {
  const message = event.target.dataset ? event.target.dataset.confirm : null;
  if (message && !window.confirm(message)) event.preventDefault();
});
