/* The supervision dashboard's figures: each is plotly JSON in a
   <script type="application/json"> element named by its box's data-figure, drawn here
   so the page needs no inline script (the Content-Security-Policy forbids them). The
   same numbers are in the table under each figure. */
(function () {
  "use strict";
  if (!window.Plotly) {
    return;
  }
  // No mode bar: its buttons are styled by rules plotly.js would add to the page's head,
  // which the policy refuses; the figures are for reading, and their data are tables.
  var config = { displayModeBar: false, responsive: true };
  document.querySelectorAll(".sodo-plot[data-figure]").forEach(function (box) {
    var source = document.getElementById(box.dataset.figure);
    if (!source) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(box, figure.data, figure.layout, config);
  });
})();
