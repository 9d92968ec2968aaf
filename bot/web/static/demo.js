/* Sésame — the demo login page: the form connects to nothing, and says so. */
(function () {
  "use strict";

  function start() {
    var form = document.querySelector(".login-form");
    var note = document.getElementById("note-demo");
    if (!form || !note) {
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      note.textContent = "";
      window.setTimeout(function () {
        note.textContent = note.getAttribute("data-text");
      }, 50);
      note.classList.add("is-shown");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
