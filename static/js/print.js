// "Print or save as PDF": draws every chart, then opens the browser's print
// dialog, which also saves a PDF. Without JavaScript the button is hidden
// (base.html's noscript style) and the browser's own menu prints.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () {
    var charts = window.smarketingCharts;
    (charts ? charts.drawAll() : Promise.resolve()).then(
      function () {
        window.print();
      },
      function () {
        window.print();
      }
    );
  });
});
