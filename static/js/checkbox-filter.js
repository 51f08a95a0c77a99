/* A filter box for a long grouped checkbox list (macro grouped_checkboxes): as the user types, only
   the boxes whose label, or whose group's name, contains the text stay visible; empty groups hide.
   Checked boxes that are filtered out stay checked and are still submitted. The box is hidden in the
   HTML, so without JavaScript the full list shows. No inline script (CSP). */
(function () {
  "use strict";

  function normalise(text) {
    // case- and accent-insensitive: "coop" finds "Coöperatie"
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function setUp(box) {
    var input = box.querySelector("input[type=search]");
    var count = box.querySelector("[aria-live]");
    var target = document.getElementById(box.getAttribute("data-checkbox-filter"));
    if (!input || !target) {
      return;
    }
    var groups = Array.prototype.slice.call(target.querySelectorAll(".checkbox-group"));
    var total = target.querySelectorAll("li").length;

    function apply() {
      var query = normalise(input.value);
      var shown = 0;
      groups.forEach(function (group) {
        var legend = group.querySelector("legend");
        var groupMatches = query !== "" && legend && normalise(legend.textContent).indexOf(query) !== -1;
        var visible = 0;
        Array.prototype.forEach.call(group.querySelectorAll("li"), function (item) {
          var match = query === "" || groupMatches || normalise(item.textContent).indexOf(query) !== -1;
          item.hidden = !match;
          if (match) {
            visible += 1;
          }
        });
        group.hidden = visible === 0;
        shown += visible;
      });
      if (query === "") {
        count.textContent = "";
      } else if (shown === 0) {
        count.textContent = box.getAttribute("data-none-text");
      } else {
        count.textContent = box.getAttribute("data-count-text")
          .replace("{shown}", String(shown)).replace("{total}", String(total));
      }
    }

    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();  // Enter in the filter must not submit the form
      }
    });
    box.hidden = false;
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-checkbox-filter]"), setUp);
})();
