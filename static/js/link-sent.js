// While the e-mail with the private link is on its way, ask the server every
// few seconds what became of it and show the answer (sent, waiting, refused).
(function () {
  "use strict";
  var region = document.getElementById("link-status");
  if (!region || !region.dataset.poll) {
    return;
  }
  var tries = 0;
  function poll() {
    tries += 1;
    fetch(region.dataset.poll, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (answer) {
        return answer.ok ? answer.text() : Promise.reject(answer.status);
      })
      .then(function (html) {
        var part = new DOMParser().parseFromString(html, "text/html").body;
        if (region.innerHTML.trim() !== part.innerHTML.trim()) {
          region.replaceChildren.apply(region, Array.prototype.slice.call(part.childNodes));
        }
        if (!part.querySelector("[data-final]") && tries < 120) {
          window.setTimeout(poll, 5000);
        }
      })
      .catch(function () {
        if (tries < 120) {
          window.setTimeout(poll, 15000);
        }
      });
  }
  window.setTimeout(poll, 3000);
})();
