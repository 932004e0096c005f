// The cases of a procedure page as tabs (WAI-ARIA tabs pattern, automatic activation).
// Without this script the same list is a set of links to the case sections, which all
// stay visible, so the page works without JavaScript and prints every case.
(function () {
  "use strict";

  function setUp(list) {
    var links = Array.prototype.slice.call(list.querySelectorAll("a[href^='#']"));
    var panels = links.map(function (link) {
      return document.getElementById(decodeURIComponent(link.hash.slice(1)));
    });
    if (links.length < 2 || panels.indexOf(null) !== -1) {
      return;
    }
    list.setAttribute("role", "tablist");
    links.forEach(function (link, index) {
      link.parentNode.setAttribute("role", "presentation");
      link.setAttribute("role", "tab");
      link.setAttribute("aria-controls", panels[index].id);
      panels[index].setAttribute("role", "tabpanel");
      // The panel holds focusable content (its diagram's frame), so it is no stop itself.
      panels[index].setAttribute("aria-labelledby", link.id);
    });

    function select(index, focus) {
      links.forEach(function (link, other) {
        var chosen = other === index;
        link.setAttribute("aria-selected", chosen ? "true" : "false");
        link.setAttribute("tabindex", chosen ? "0" : "-1");
        panels[other].hidden = !chosen;
      });
      if (focus) {
        links[index].focus();
      }
    }

    links.forEach(function (link, index) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        select(index, false);
        history.replaceState(null, "", link.hash);
      });
      link.addEventListener("keydown", function (event) {
        var last = links.length - 1;
        var next = {
          ArrowRight: index === last ? 0 : index + 1,
          ArrowLeft: index === 0 ? last : index - 1,
          Home: 0,
          End: last
        }[event.key];
        if (next !== undefined) {
          event.preventDefault();
          select(next, true);
          history.replaceState(null, "", links[next].hash);
        }
      });
    });

    var wanted = panels.map(function (panel) { return "#" + panel.id; }).indexOf(
      decodeURIComponent(location.hash)
    );
    select(wanted === -1 ? 0 : wanted, false);
  }

  document.querySelectorAll("[data-case-tabs]").forEach(setUp);
})();
