// The report pages: draw the chart from the JSON the server put in the page, and apply a filter as soon as it changes.
(function () {
  "use strict";

  function drawCharts() {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-chart"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      var layout = Object.assign({ autosize: true, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)" }, figure.layout);
      window.Plotly.newPlot(element, figure.data, layout, { displayModeBar: false, responsive: true });
    });
  }

  function autoSubmit() {
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      // Filters left at "all" stay out of the URL, so that it reads as the reports API's query.
      form.addEventListener("submit", function () {
        form.querySelectorAll("select, input").forEach(function (field) {
          if (field.name && field.value === "" && field.type !== "checkbox") {
            field.disabled = true;
          }
        });
      });
      form.querySelectorAll("select").forEach(function (select) {
        select.addEventListener("change", function () {
          form.requestSubmit ? form.requestSubmit() : form.submit();
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    autoSubmit();
  });
})();
