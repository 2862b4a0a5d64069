/* Small behaviours shared by every page, bound by data attributes: the Content-Security-Policy
 * refuses inline scripts and on…= handler attributes, so no template may carry its own.
 *
 *   [data-select-on-focus]   an input whose whole text is selected when it gets the focus
 *                            (a generated password, to copy it at once)
 */
(function () {
  "use strict";

  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("input[data-select-on-focus], textarea[data-select-on-focus]")) {
      target.select();
    }
  });
})();
