// Adding cases to the selection ("已选案例") and removing them without reloading the page.
// Without this script the same forms are sent normally and the server redirects back.
(function () {
  "use strict";

  function updateCount(count) {
    document.querySelectorAll("[data-selection-count]").forEach(function (el) {
      el.textContent = String(count);
    });
    document.querySelectorAll("[data-selection-bar]").forEach(function (bar) {
      bar.hidden = count === 0;
      var compare = bar.querySelector("[data-selection-compare]");
      if (compare) {
        compare.hidden = count < Number(bar.dataset.compareMin) || count > Number(bar.dataset.compareMax);
      }
    });
  }

  function updateToggle(form, selected) {
    form.classList.toggle("is-selected", selected);
    form.action = selected ? form.dataset.remove : form.dataset.add;
    form.querySelector(".selection-action").textContent = selected ? "移出已选" : "加入已选";
    form.querySelector(".selection-state").textContent = selected ? "已选" : "";
  }

  function announce(message) {
    var status = document.getElementById("selection-notice");
    if (status && message) {
      status.textContent = message;
    }
  }

  function send(form) {
    // A second press while the first is on its way is ignored (the button keeps focus, unlike a disabled one).
    if (form.dataset.busy) {
      return;
    }
    form.dataset.busy = "1";
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") !== 0) {
          throw new Error("unexpected answer " + response.status);
        }
        return response.json();
      })
      .then(function (answer) {
        updateCount(answer.count);
        Object.keys(answer.selected).forEach(function (pk) {
          document.querySelectorAll("form.selection-toggle").forEach(function (toggle) {
            if (toggle.elements.namedItem("case").value === pk) {
              updateToggle(toggle, answer.selected[pk]);
            }
          });
        });
        announce(answer.message);
      })
      .catch(function () {
        // The page may be stale (a new session, an expired token): send the form the ordinary way.
        form.submit();
      })
      .finally(function () {
        delete form.dataset.busy;
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    if (form.classList.contains("selection-toggle") || form.hasAttribute("data-selection-form")) {
      event.preventDefault();
      send(form);
    }
  });
})();
