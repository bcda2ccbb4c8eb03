// Draw the charts whose figures the page ships with json_script, each once it
// scrolls into view. plotly.js is large and every figure is also written out as
// text, so the page paints and reads before the library arrives.
(function () {
  "use strict";
  var script = document.currentScript;
  var charts = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
  var PRINT_WIDTH = 680; // CSS pixels across an A4 page inside 15 mm margins
  var loading = null;

  function loadPlotly() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        if (window.Plotly) {
          resolve();
          return;
        }
        var tag = document.createElement("script");
        tag.src = script.dataset.plotly;
        tag.onload = resolve;
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function draw(element) {
    if (!element.drawing) {
      var source = document.getElementById(element.dataset.chart);
      element.drawing = loadPlotly().then(function () {
        var figure = JSON.parse(source.textContent);
        return window.Plotly.newPlot(element, figure.data, figure.layout, {
          displayModeBar: false,
          responsive: true,
        });
      });
    }
    return element.drawing;
  }

  function drawAll() {
    return Promise.all(charts.map(draw));
  }

  // The print button (print.js) draws every chart first; printing from the
  // browser's menu prints the charts drawn so far and every text equivalent.
  window.smarketingCharts = { drawAll: drawAll };

  window.addEventListener("beforeprint", function () {
    charts.forEach(function (element) {
      if (element.classList.contains("js-plotly-plot")) {
        window.Plotly.relayout(element, { width: Math.min(PRINT_WIDTH, element.clientWidth) });
      }
    });
  });
  window.addEventListener("afterprint", function () {
    charts.forEach(function (element) {
      if (element.classList.contains("js-plotly-plot")) {
        window.Plotly.relayout(element, { width: null, autosize: true });
      }
    });
  });

  if (!("IntersectionObserver" in window)) {
    drawAll();
    return;
  }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        draw(entry.target);
      }
    });
  });
  charts.forEach(function (element) {
    observer.observe(element);
  });
})();
