// "只看本级公开": hide the rows a locality only passes down to the levels below it.
(function () {
  "use strict";
  var box = document.getElementById("gk-here-only");
  if (!box) return;
  var table = document.getElementById(box.getAttribute("data-table"));
  box.addEventListener("change", function () {
    table.classList.toggle("here-only", box.checked);
  });
})();
