// "Print or save as PDF": draws every chart, then opens the browser's print
// dialog, which also saves a PDF. A button that starts hidden is shown here,
// where it gets its handler; without JavaScript base.html's noscript style
// hides the others, and the browser's own menu prints.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
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
