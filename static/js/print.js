// "Print or save as PDF": the browser's print dialog, which also saves a PDF.
// Without JavaScript the button stays hidden and the browser's own menu prints.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
