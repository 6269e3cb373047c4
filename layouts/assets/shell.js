// The shell's browser-side callbacks (see callbacks/shell.py).
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  pws: Object.assign({}, (window.dash_clientside || {}).pws, {
    // Write the filters into the address bar (pushState, without Dash's router noticing) and into the menu links.
    writeUrl: function (filters, ids) {
      if (!filters) { return window.dash_clientside.no_update; }
      var params = new URLSearchParams();
      ["tahun", "bulan", "indikator", "kabupaten", "puskesmas", "desa"].forEach(function (key) {
        var value = filters[key];
        if (value !== null && value !== undefined && value !== "") { params.set(key, String(value)); }
      });
      var query = "?" + params.toString();
      var links = ids.map(function (id) { return id.page + query; });
      // on page load the address the user opened stays as it is (it already gives this view; rewriting it
      // now would race with Dash's page router, which restores the address it loaded)
      if (!window._pwsUrlWritten) {
        window._pwsUrlWritten = true;
        return links;
      }
      if (window.location.search !== query) {
        window.history.pushState(null, "", window.location.pathname + query);
      }
      // keep the shell's Location in step, so that back/forward (popstate) is seen as a change
      window.dash_clientside.set_props("shell-url", {search: query, href: window.location.href});
      return links;
    }
  })
});
