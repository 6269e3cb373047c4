/* Unggah page: dcc.Upload's max_size drops a file that is too large without a word. When files are dropped on or
   chosen in the upload box, name the ones the browser refuses, so the user knows why they are missing. The limit
   and the message come from the data-* attributes of the box's wrapper (layouts/unggah.py). Inert elsewhere. */
(function () {
  "use strict";
  function onFiles(event) {
    var target = event.target;
    if (!target || typeof target.closest !== "function") { return; }
    var holder = target.closest("[data-max-bytes]");
    if (!holder) { return; }
    var files = event.type === "drop" ? (event.dataTransfer && event.dataTransfer.files) : target.files;
    if (!files) { return; }
    var max = Number(holder.getAttribute("data-max-bytes"));
    var refused = [];
    for (var i = 0; i < files.length; i++) {
      if (files[i].size > max) { refused.push(files[i].name); }
    }
    var text = refused.length ? holder.getAttribute("data-too-big").replace("{nama}", refused.join(", ")) : "";
    var api = window.dash_clientside;
    if (api && typeof api.set_props === "function") {
      api.set_props(holder.getAttribute("data-notice"), { children: text });
    }
  }
  window.addEventListener("drop", onFiles, true);
  window.addEventListener("change", onFiles, true);
})();
