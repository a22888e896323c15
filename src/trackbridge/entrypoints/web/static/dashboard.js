// The dashboard's charts, drawn by plotly.js (served from the plotly wheel) from the JSON the page carries.
(function () {
  "use strict";
  var holder = document.getElementById("dashboard-data");
  if (!holder || typeof Plotly === "undefined") return;
  var data = JSON.parse(holder.textContent);
  var config = { responsive: true, displayModeBar: false };
  var font = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: "#334155" };
  function layout(extra) {
    var base = {
      margin: { l: 48, r: 12, t: 8, b: 40 },
      height: 260,
      font: font,
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      xaxis: { type: "date", gridcolor: "#e2e8f0" },
      yaxis: { rangemode: "tozero", gridcolor: "#e2e8f0" },
      legend: { orientation: "h", y: -0.2 },
      hovermode: "x unified",
    };
    return Object.assign(base, extra || {});
  }
  var numbers = function (list) { return list.map(Number); };
  Plotly.newPlot("chart-visits", [
    { x: data.days, y: data.visits, name: "Visits", type: "scatter", mode: "lines", line: { color: "#2563eb", width: 2 }, fill: "tozeroy", fillcolor: "rgba(37,99,235,0.08)" },
    { x: data.days, y: data.identified, name: "Identified customers", type: "scatter", mode: "lines", line: { color: "#16a34a", width: 2 } },
  ], layout(), config);
  Plotly.newPlot("chart-orders", [
    { x: data.days, y: data.orders, name: "Orders", type: "bar", marker: { color: "#7c3aed" } },
  ], layout({ showlegend: false }), config);
  Plotly.newPlot("chart-revenue", [
    { x: data.days, y: numbers(data.revenue), name: "Revenue", type: "scatter", mode: "lines", line: { color: "#ea580c", width: 2 } },
    { x: data.days, y: numbers(data.paidRevenue), name: "Paid revenue", type: "scatter", mode: "lines", line: { color: "#0d9488", width: 2, dash: "dot" } },
  ], layout({ yaxis: { rangemode: "tozero", gridcolor: "#e2e8f0", title: { text: data.currency } } }), config);
})();
