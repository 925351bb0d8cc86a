/* Recoup console: charts from the page's JSON block, and small form helpers.
   No inline scripts (the Content-Security-Policy forbids them): the server puts the figures
   in <script type="application/json" id="chart-data"> and this file draws them with Chart.js
   (window.Chart, vendored at /console-static/vendor/chart.umd.min.js). Every chart has the
   same figures in a table on the page, so nothing depends on this file running. */
(function () {
  "use strict";

  var PALETTE = {
    blue: "#2f5bd3", green: "#0f9d63", violet: "#7a4fd6", amber: "#d98a00",
    red: "#d4422f", teal: "#0e8fab", slate: "#98a2b3", pink: "#c23c8a"
  };
  var COHORT_COLOURS = [PALETTE.slate, PALETTE.blue, PALETTE.violet, PALETTE.green];
  var OUTCOME_COLOURS = [PALETTE.blue, PALETTE.green, PALETTE.amber, PALETTE.violet,
    PALETTE.red, PALETTE.teal, PALETTE.pink, PALETTE.slate, "#5c6b8a", "#b7791f"];
  var RATE_NAMES = {
    recovery_rate: "Recovery rate",
    link_open_rate: "Link opened",
    link_completion_rate: "Link completed",
    promise_kept_rate: "Promise kept",
    dispute_escalation_rate: "Dispute escalation"
  };
  var RATE_COLOURS = {
    link_open_rate: PALETTE.teal, link_completion_rate: PALETTE.green,
    promise_kept_rate: PALETTE.violet, dispute_escalation_rate: PALETTE.red
  };

  function readData() {
    var node = document.getElementById("chart-data");
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function percent(value) { return (value * 100).toFixed(0) + "%"; }

  function label(text) {
    text = String(text).replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function money(value) {
    return Number(value).toLocaleString(undefined, { maximumFractionDigits: 0 });
  }

  function setDefaults(Chart) {
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.size = 12;
    Chart.defaults.color = "#475467";
    Chart.defaults.borderColor = "#e3e8ef";
    Chart.defaults.maintainAspectRatio = false;
    Chart.defaults.plugins.legend.labels.usePointStyle = true;
    Chart.defaults.plugins.legend.labels.pointStyle = "circle";
    Chart.defaults.plugins.legend.labels.boxWidth = 8;
    Chart.defaults.plugins.legend.labels.boxHeight = 8;
    if (reduce) { Chart.defaults.animation = false; }
  }

  function weekly(Chart, canvas, data) {
    return new Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: "Recovered amount", data: data.recovered_amount,
            backgroundColor: "rgba(15, 157, 99, .75)", borderRadius: 4, yAxisID: "y", order: 2 },
          { type: "line", label: "Cases", data: data.cases, borderColor: PALETTE.blue,
            backgroundColor: PALETTE.blue, cubicInterpolationMode: "monotone", pointRadius: 3,
            yAxisID: "y1", order: 1 }
        ]
      },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { beginAtZero: true, title: { display: true, text: "Recovered" },
               ticks: { callback: money } },
          y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false },
                title: { display: true, text: "Cases" }, ticks: { precision: 0 } }
        }
      }
    });
  }

  function rates(Chart, canvas, data) {
    var datasets = Object.keys(data.series).map(function (key) {
      return { label: RATE_NAMES[key] || label(key), data: data.series[key],
               borderColor: RATE_COLOURS[key], backgroundColor: RATE_COLOURS[key],
               cubicInterpolationMode: "monotone", pointRadius: 3, spanGaps: true };
    });
    return new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: { y: { min: 0, max: 1, ticks: { callback: percent } } },
        plugins: { tooltip: { callbacks: { label: function (ctx) {
          return ctx.dataset.label + ": " + (ctx.parsed.y === null ? "–" : percent(ctx.parsed.y));
        } } } }
      }
    });
  }

  function cohorts(Chart, canvas, data) {
    var datasets = data.series.map(function (series, i) {
      return { label: series.label, data: series.values, borderRadius: 4,
               backgroundColor: COHORT_COLOURS[i % COHORT_COLOURS.length] };
    });
    return new Chart(canvas, {
      type: "bar",
      data: { labels: data.metrics.map(function (m) { return RATE_NAMES[m] || label(m); }),
              datasets: datasets },
      options: {
        scales: { y: { min: 0, max: 1, ticks: { callback: percent } } },
        plugins: { tooltip: { callbacks: { label: function (ctx) {
          return ctx.dataset.label + ": " + (ctx.parsed.y === null ? "no data" : percent(ctx.parsed.y));
        } } } }
      }
    });
  }

  function outcomes(Chart, canvas, data) {
    return new Chart(canvas, {
      type: "doughnut",
      data: {
        labels: data.labels.map(label),
        datasets: [{ data: data.cases, backgroundColor: OUTCOME_COLOURS, borderWidth: 2,
                     borderColor: "#ffffff" }]
      },
      options: { cutout: "62%", plugins: { legend: { position: "right" } } }
    });
  }

  function drawCharts() {
    var Chart = window.Chart;
    var data = readData();
    if (!Chart || !data) { return; }
    setDefaults(Chart);
    var draw = { "chart-weekly": [weekly, data.weekly], "chart-rates": [rates, data.rates],
                 "chart-cohorts": [cohorts, data.cohorts], "chart-outcomes": [outcomes, data.outcomes] };
    Object.keys(draw).forEach(function (id) {
      var canvas = document.getElementById(id);
      if (canvas && draw[id][1]) { draw[id][0](Chart, canvas, draw[id][1]); }
    });
  }

  /* A promise date is required only where it means something; the field stays visible
     (and the server checks again), the browser just asks for it before sending. */
  function promiseFields() {
    document.querySelectorAll("[data-promise-for]").forEach(function (input) {
      var select = document.getElementById(input.getAttribute("data-promise-for"));
      var wanted = (input.getAttribute("data-promise-when") || "").split(" ");
      if (!select) { return; }
      var sync = function () { input.required = wanted.indexOf(select.value) >= 0; };
      select.addEventListener("change", sync);
      sync();
    });
  }

  function start() {
    drawCharts();
    promiseFields();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
