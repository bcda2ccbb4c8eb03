// The workshop's presenter and follower pages. The server data comes from
// json_script; without JavaScript the buttons, the jump list and the refresh
// link do the same work.
(function () {
  "use strict";
  var dataElement = document.getElementById("workshop-data");
  if (!dataElement) {
    return;
  }
  var data = JSON.parse(dataElement.textContent);
  var loadedAt = Date.now();
  var elapsedAtLoad = data.elapsed;
  var timer = document.getElementById("timer-elapsed");
  var timerLine = timer ? timer.parentElement : null;

  function clock(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function tick() {
    if (!timer) {
      return;
    }
    var seconds = elapsedAtLoad + Math.floor((Date.now() - loadedAt) / 1000);
    timer.textContent = clock(seconds);
    timerLine.classList.toggle("over-time", seconds > data.minutes * 60);
  }
  tick();
  window.setInterval(tick, 1000);

  // The presenter: arrows and Page Up/Down move; a typed number and Enter jumps.
  var next = document.getElementById("go-next");
  var previous = document.getElementById("go-previous");
  var jump = document.getElementById("go-jump");
  if (next && previous && jump) {
    var typed = "";
    var submit = function (form) {
      var button = form.querySelector("button[type=submit]");
      if (button && !button.disabled) {
        form.requestSubmit(button);
      }
    };
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var editing = target.closest && target.closest("input, select, textarea, button, a");
      if (event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      if (event.key === "ArrowRight" || event.key === "PageDown") {
        if (editing && target.tagName !== "BUTTON" && target.tagName !== "A") {
          return;
        }
        event.preventDefault();
        submit(next);
      } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
        if (editing && target.tagName !== "BUTTON" && target.tagName !== "A") {
          return;
        }
        event.preventDefault();
        submit(previous);
      } else if (/^[0-9]$/.test(event.key) && !editing) {
        typed += event.key;
      } else if (event.key === "Enter" && typed && !editing) {
        event.preventDefault();
        var select = jump.querySelector("select");
        select.value = typed;
        typed = "";
        if (select.value) {
          jump.requestSubmit();
        }
      } else if (event.key === "Escape") {
        typed = "";
      }
    });
    return;
  }

  // A follower: ask every few seconds which item the presenter shows.
  if (data.state_url) {
    var poll = function () {
      fetch(data.state_url, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (state) {
          if (!state) {
            return;
          }
          if (state.item !== data.item) {
            window.location.reload();
            return;
          }
          elapsedAtLoad = state.elapsed;
          loadedAt = Date.now();
        })
        .catch(function () {});
    };
    window.setInterval(poll, 3000);
  }
})();
