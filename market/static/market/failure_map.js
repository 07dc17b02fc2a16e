/* The failure what-if's map: the failing homes, the homes the plan sends their people to, and a line from each
   failing home to each of its destinations (solid to a free block bed, dashed to a spot vacancy), drawn over the
   districts' boundaries from the service's own GeoJSON layer. The data is the page's own (a json_script element,
   the same answer as the tables); runs only where GOV.UK Frontend's JavaScript runs, and the plan's table below
   has every person without it. No request leaves the service unless a tile layer is set. */
(function () {
  "use strict";

  var root = document.querySelector("[data-module='app-failure-map']");
  var source = document.getElementById("failure-map");
  if (!root || !source || !window.L || !document.body.classList.contains("govuk-frontend-supported")) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var canvas = root.querySelector(".app-map__canvas");
  var legend = root.querySelector(".app-map__legend");

  var FAILING = "#d4351c";      // GOV.UK red
  var DESTINATION = "#005a30";  // GOV.UK green (text colour of its green tag)
  var BLOCK_LINE = "#1d70b8";   // GOV.UK blue
  var SPOT_LINE = "#912b88";    // GOV.UK purple, and dashed: the kind of bed is not told by colour alone
  var BOUNDARY = "#b1b4b6";

  // Every value the map writes into HTML goes through this: home and provider names come from the CQC feed and
  // the council's own records, and a name is text, never markup.
  var HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" };

  function escapeHtml(text) {
    return (text === null || text === undefined ? "" : String(text)).replace(/[&<>"']/g, function (character) {
      return HTML_ESCAPES[character];
    });
  }

  function count(number, one, many) {
    return Number(number).toLocaleString("en-GB") + " " + (number === 1 ? one : many);
  }

  function homeLink(home) {
    var href = data.homeUrl.replace(/\/0\/$/, "/" + encodeURIComponent(home.id) + "/");
    return "<a class='govuk-link' href='" + escapeHtml(href) + "'>View " + escapeHtml(home.name) + "</a>";
  }

  canvas.removeAttribute("hidden");
  var map = L.map(canvas, { zoomSnap: 0.25, minZoom: 5, maxZoom: 18, attributionControl: true, preferCanvas: true });
  map.attributionControl.setPrefix(false);
  if (data.tiles) {
    L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
  }
  map.setView([52.6, -1.2], 7);

  // The districts first, so the homes and lines are drawn over them; without them the homes still show.
  var boundaries = map.createPane("boundaries");
  boundaries.style.zIndex = 350;

  var failingById = {};
  var destinationById = {};
  var points = [];
  data.failing.forEach(function (home) { failingById[home.id] = home; points.push([home.lat, home.lng]); });
  data.destinations.forEach(function (home) { destinationById[home.id] = home; points.push([home.lat, home.lng]); });

  var lines = L.layerGroup().addTo(map);
  data.flows.forEach(function (flow) {
    var from = failingById[flow[0]];
    var to = destinationById[flow[1]];
    if (!from || !to) {
      return;
    }
    var spot = flow[3] === "spot";
    var line = L.polyline([[from.lat, from.lng], [to.lat, to.lng]], {
      color: spot ? SPOT_LINE : BLOCK_LINE,
      weight: Math.min(2 + Math.log(flow[2]) * 1.5, 8),
      opacity: 0.7,
      dashArray: spot ? "6 6" : null
    });
    line.bindTooltip(
      escapeHtml(count(flow[2], "person", "people") + " from " + from.name + " to " + to.name + " (" +
        (spot ? "spot vacancy" : "block bed") + ", " + flow[4].toLocaleString("en-GB") + " km)"),
      { sticky: true }
    );
    lines.addLayer(line);
  });

  data.destinations.forEach(function (home) {
    var marker = L.circleMarker([home.lat, home.lng], {
      radius: 6, color: "#ffffff", weight: 1, fillColor: DESTINATION, fillOpacity: 1
    });
    marker.bindPopup(
      "<h3 class='govuk-heading-s'>" + escapeHtml(home.name) + "</h3>" +
      "<p class='govuk-body-s'>" + escapeHtml(home.provider) + "<br>" +
      escapeHtml(count(home.people, "person", "people")) + " would move here</p>" +
      "<p class='govuk-body-s'>" + homeLink(home) + "</p>"
    );
    marker.addTo(map);
  });

  data.failing.forEach(function (home) {
    var icon = L.divIcon({
      className: "app-map__home",
      html: "<span class='app-map__pin app-map__pin--failing" + (home.short ? " app-map__pin--short" : "") + "'>F</span>",
      iconSize: [24, 24]  // WCAG 2.2 target size: at least 24 by 24 CSS pixels
    });
    var marker = L.marker([home.lat, home.lng], {
      icon: icon, title: home.name + ": " + count(home.people, "person", "people"), alt: home.name, zIndexOffset: 1000
    });
    marker.bindPopup(
      "<h3 class='govuk-heading-s'>" + escapeHtml(home.name) + "</h3>" +
      "<p class='govuk-body-s'>" + escapeHtml(count(home.people, "person", "people")) + " in the council's beds" +
      (home.short ? "<br>" + escapeHtml(count(home.short, "person", "people")) + " without a bed within " +
        escapeHtml(data.radiusKm) + " km" : "") + "</p>" +
      "<p class='govuk-body-s'>" + homeLink(home) + "</p>"
    );
    marker.addTo(map);
  });

  if (points.length) {
    map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 13, animate: false });
  }

  legend.innerHTML =
    "<h2 class='govuk-heading-s'>On the map</h2><ul class='govuk-list app-map__legend-list'>" +
    "<li><span class='app-map__pin app-map__pin--failing'>F</span>A failing home</li>" +
    "<li><span class='app-map__pin app-map__pin--failing app-map__pin--short'>F</span>A failing home with people short</li>" +
    "<li><span class='app-map__dot'></span>A home the plan sends people to</li>" +
    "<li><span class='app-map__line'></span>To a free block bed</li>" +
    "<li><span class='app-map__line app-map__line--spot'></span>To a spot vacancy</li></ul>";

  function drawn(state) {
    // Once the browser has laid the map out: say so for tests.
    window.requestAnimationFrame(function () {
      root.setAttribute("data-failing", String(data.failing.length));
      root.setAttribute("data-destinations", String(data.destinations.length));
      root.setAttribute("data-lines", String(lines.getLayers().length));
      root.setAttribute("data-map-state", state);
    });
  }

  root.setAttribute("data-map-state", "loading");
  fetch(data.layerAddress, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("The districts could not be loaded (" + response.status + ").");
      }
      return response.json();
    })
    .then(function (collection) {
      L.geoJSON(collection, {
        pane: "boundaries",
        interactive: false,
        style: function () { return { color: BOUNDARY, weight: 1, fill: false }; }
      }).addTo(map);
      drawn("drawn");
    })
    .catch(function (error) {
      if (window.console) {
        window.console.error(error);
      }
      drawn("drawn-without-boundaries");
    });
})();
