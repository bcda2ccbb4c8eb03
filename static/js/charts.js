// Draw the charts whose figures the page ships with json_script, each once it
// scrolls into view. plotly.js is large and every figure is also written out as
// text, so the page paints and reads before the library arrives.
//
// Printing, from the page's button or from the browser's own menu, draws every
// chart first. The browser lays the page out for paper as soon as its
// "beforeprint" listeners return, so the drawing must happen inside them:
// plotly draws these charts synchronously once it is loaded, and it is loaded
// at the reader's first move (a scroll, a key, the pointer), well before they
// reach for Print. A chart printed before the library arrived leaves no hole:
// its box is left out on paper (shared.css) and its figures are in the text.
(function () {
  "use strict";
  var script = document.currentScript;
  var charts = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
  var PRINT_WIDTH = 703; // CSS pixels across an A4 page inside 12 mm margins (shared.css)
  var PRINT_SCALE = 0.65; // on paper, where the type is a quarter smaller, charts a third lower
  // A legend keeps its rows whatever the chart's height: a chart with one is lowered less.
  var LEGEND_PRINT_SCALE = 0.85;
  var loading = null;
  var paper = window.matchMedia("print");

  if (!charts.length) {
    return;
  }

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

  function plot(element) {
    var figure = JSON.parse(document.getElementById(element.dataset.chart).textContent);
    element.screenHeight = figure.layout.height;
    element.screenFont = (figure.layout.font || {}).size;
    element.hasLegend = figure.layout.showlegend !== false && figure.data.length > 1;
    if (paper.matches) {
      var size = paperSize(element, boxWidth(element));
      figure.layout.width = size.width;
      figure.layout.height = size.height;
      if (element.screenFont) {
        figure.layout.font = Object.assign({}, figure.layout.font, { size: size["font.size"] });
        figure.layout.legend = Object.assign({}, figure.layout.legend, {
          font: { size: size["legend.font.size"] },
        });
      }
    }
    return window.Plotly.newPlot(element, figure.data, figure.layout, {
      displayModeBar: false,
      responsive: true,
    });
  }

  function draw(element) {
    if (!element.drawing) {
      // With the library here the chart is drawn now, in this task; a chart that fails
      // to draw does not stop the others.
      element.drawing = window.Plotly
        ? new Promise(function (resolve) {
            resolve(plot(element));
          })
        : loadPlotly().then(function () {
            return plot(element);
          });
    }
    return element.drawing;
  }

  function drawAll() {
    return Promise.all(charts.map(draw));
  }

  function drawn() {
    return charts.filter(function (element) {
      return element.classList.contains("js-plotly-plot");
    });
  }

  // On paper an undrawn chart's box is hidden (shared.css): its parent's content gives the width.
  function boxWidth(element) {
    if (element.clientWidth) {
      return element.clientWidth;
    }
    var parent = element.parentElement;
    var style = getComputedStyle(parent);
    return parent.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  }

  // Lower, and in smaller type: the paper's text is smaller than the screen's.
  function paperSize(element, width) {
    var scale = element.hasLegend ? LEGEND_PRINT_SCALE : PRINT_SCALE;
    var size = { width: width, height: Math.round(element.screenHeight * scale) };
    if (element.screenFont) {
      size["font.size"] = Math.round(element.screenFont * 0.85);
      size["legend.font.size"] = Math.round(element.screenFont * 0.7);
    }
    return size;
  }

  // Before the print layout exists, fit each chart to its share of the paper's width
  // (a chart beside its table gets part of it: --paper-share in site.css).
  function beforePrint() {
    drawAll();
    drawn().forEach(function (element) {
      var share = parseFloat(getComputedStyle(element).getPropertyValue("--paper-share")) || 1;
      var width = Math.floor(PRINT_WIDTH * share - (share < 1 ? 12 : 0));
      window.Plotly.relayout(element, paperSize(element, Math.min(width, element.clientWidth)));
    });
  }

  // In the print layout (where the browser tells it), fit each chart to its box.
  function inPrint() {
    drawAll();
    drawn().forEach(function (element) {
      window.Plotly.relayout(element, paperSize(element, element.clientWidth));
    });
  }

  function afterPrint() {
    drawn().forEach(function (element) {
      var size = { width: null, height: element.screenHeight, autosize: true };
      if (element.screenFont) {
        size["font.size"] = element.screenFont;
        size["legend.font.size"] = null;
      }
      window.Plotly.relayout(element, size);
    });
  }

  window.smarketingCharts = { drawAll: drawAll };
  window.addEventListener("beforeprint", beforePrint);
  window.addEventListener("afterprint", afterPrint);
  paper.addEventListener("change", function (event) {
    if (event.matches) {
      inPrint();
    } else {
      afterPrint();
    }
  });

  function preload() {
    loadPlotly().catch(function () {}); // drawing a chart says so if the library is missing
  }
  ["scroll", "keydown", "pointermove", "pointerdown", "touchstart"].forEach(function (type) {
    window.addEventListener(type, preload, { once: true, passive: true });
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
