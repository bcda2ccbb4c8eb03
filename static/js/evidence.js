// CRM evidence: follows the reading of an uploaded export (the server's
// status.json, every 1.5 s) and reloads the page when it is done; refuses a
// file larger than the limit before it is sent. Without JavaScript the page
// says to reload, and the server refuses an oversized upload unread.
(function () {
  var box = document.querySelector("[data-evidence-poll]");
  if (box) {
    var url = box.getAttribute("data-evidence-poll");
    var bar = box.querySelector("progress");
    var message = box.querySelector("[data-evidence-message]");
    var poll = function () {
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (state) {
          if (!state) {
            return;
          }
          if (state.finished) {
            window.location.reload();
            return;
          }
          if (bar) {
            bar.value = state.progress;
            bar.textContent = state.progress + "%";
          }
          if (message && state.message) {
            message.textContent = state.message;
          }
          window.setTimeout(poll, 1500);
        })
        .catch(function () {
          window.setTimeout(poll, 5000);
        });
    };
    window.setTimeout(poll, 1500);
  }

  var form = document.querySelector("form[data-max-bytes]");
  if (form) {
    var limit = Number(form.getAttribute("data-max-bytes"));
    var input = form.querySelector("input[type=file]");
    var check = function () {
      var file = input.files && input.files[0];
      input.setCustomValidity(file && file.size > limit ? form.getAttribute("data-too-large") : "");
    };
    input.addEventListener("change", function () {
      check();
      input.reportValidity();
    });
    form.addEventListener("submit", function (event) {
      check();
      if (!input.checkValidity()) {
        event.preventDefault();
        input.reportValidity();
      }
    });
  }
})();
