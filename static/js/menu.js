// On a narrow screen the header's links fold behind a "Menu" button; site.css
// folds them from the first paint, so nothing moves when this script runs.
// Without JavaScript, base.html's noscript style keeps them open.
(function () {
  var button = document.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (!button || !menu) {
    return;
  }

  function show(open) {
    button.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  }

  button.addEventListener("click", function () {
    show(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      show(false);
      button.focus();
    }
  });
})();
