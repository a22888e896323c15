// Upload page: while the upload runs, poll its state and show the progress; reload once it is done.
(function () {
  "use strict";
  var card = document.getElementById("upload-state");
  if (!card || card.getAttribute("data-running") !== "true") return;
  var url = card.getAttribute("data-state-url");
  var bar = document.getElementById("upload-progress");
  var percent = document.getElementById("upload-percent");
  var status = card.querySelector("[data-testid=upload-status]");
  function show(state) {
    Object.keys(state).forEach(function (key) {
      var cell = card.querySelector('[data-count="' + key + '"]');
      if (cell) cell.textContent = Number(state[key]).toLocaleString("en-US");
    });
    if (state.percent !== null && bar) {
      bar.value = state.percent;
      percent.textContent = state.percent + " %";
    }
    if (status) status.textContent = state.status;
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (answer) {
        if (!answer.ok) throw new Error("status " + answer.status);
        return answer.json();
      })
      .then(function (state) {
        show(state);
        if (state.running) {
          setTimeout(poll, 700);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 300);
})();
