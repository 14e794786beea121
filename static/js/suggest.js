// Suggestions as you type in the search box: an ARIA 1.2 combobox with a listbox popup.
// Without this script the box is a plain search field; nothing else depends on it.
(function () {
  "use strict";

  var KINDS = { title: "案例", topic: "主题", region: "地区", word: "词语" };
  var DELAY = 150;

  function setUp(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var url = input.getAttribute("data-suggest-url");
    if (!list || !url || !window.fetch) {
      return;
    }
    var form = input.form;
    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var item = items[index];
      close();
      if (item.kind !== "word") {
        // A case opens its page; a topic or region opens the cases filtered by it, as its facet does.
        window.location.assign(item.url);
        return;
      }
      input.value = item.text;
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    }

    function show(suggestions) {
      items = suggestions;
      list.textContent = "";
      suggestions.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = list.id + "-" + index;
        option.className = "suggestion";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var text = document.createElement("span");
        text.textContent = item.text;
        var kind = document.createElement("span");
        kind.className = "suggestion-kind";
        kind.textContent = KINDS[item.kind] || "";
        option.appendChild(text);
        option.appendChild(kind);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
        });
        option.addEventListener("click", function () {
          choose(index);
        });
        list.appendChild(option);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (items.length && document.activeElement === input) {
        open();
      } else {
        close();
      }
    }

    function ask() {
      var q = input.value.trim();
      var ticket = ++asked;
      if (!q) {
        show([]);
        return;
      }
      fetch(url + "?q=" + encodeURIComponent(q.slice(0, 50)), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (ticket === asked) {
            show(data.suggestions || []);
          }
        })
        .catch(function () {
          if (ticket === asked) {
            show([]);
          }
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      var expanded = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!expanded) {
          open();
        }
        if (items.length) {
          highlight(active + 1 < items.length ? active + 1 : 0);
        }
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (!expanded) {
          open();
        }
        if (items.length) {
          highlight(active > 0 ? active - 1 : items.length - 1);
        }
      } else if (event.key === "Enter") {
        if (expanded && active >= 0) {
          event.preventDefault();
          choose(active);
        } else {
          close();
        }
      } else if (event.key === "Escape") {
        if (expanded) {
          event.preventDefault(); // a search field would also clear itself
          close();
        }
      }
    });

    input.addEventListener("blur", close);
  }

  var boxes = document.querySelectorAll("input[role=combobox][data-suggest-url]");
  for (var i = 0; i < boxes.length; i++) {
    setUp(boxes[i]);
  }
})();
