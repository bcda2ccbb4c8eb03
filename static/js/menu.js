// On a narrow screen the header's links fold behind a "Menu" button.
// Without JavaScript, or on a wide screen, they stay in view.
(function () {
  var button = document.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (!button || !menu) {
    return;
  }
  var narrow = window.matchMedia("(max-width: 767.98px)");

  function show(open) {
    button.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("folded", !open);
  }

  function fit() {
    button.hidden = !narrow.matches;
    show(!narrow.matches);
  }

  button.addEventListener("click", function () {
    show(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && narrow.matches && button.getAttribute("aria-expanded") === "true") {
      show(false);
      button.focus();
    }
  });
  narrow.addEventListener("change", fit);
  fit();
})();
