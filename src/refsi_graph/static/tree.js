// Buttons that open or close every branch of a tree; the tree itself is plain
// <details>, which works without this script.
(function () {
  "use strict";
  var tools = document.querySelector(".tree-tools");
  if (!tools) { return; }
  tools.hidden = false;
  tools.addEventListener("click", function (event) {
    var action = event.target.getAttribute("data-tree");
    if (!action) { return; }
    document.querySelectorAll(".tree details").forEach(function (node) {
      node.open = action === "open";
    });
  });
})();
