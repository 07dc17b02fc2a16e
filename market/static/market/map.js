/* The market map: the service's own GeoJSON layer of areas coloured by a figure, care homes as clustered
   markers by CQC rating, and a legend. Runs only where GOV.UK Frontend's JavaScript runs; without it the
   page's form and table give the same figures. No request leaves the service unless a tile layer is set. */
(function () {
  "use strict";

  var root = document.querySelector("[data-module='app-market-map']");
  if (!root || !window.L || !document.body.classList.contains("govuk-frontend-supported")) {
    return;
  }
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var homes = JSON.parse(document.getElementById("map-homes").textContent);
  var canvas = root.querySelector(".app-map__canvas");
  var legend = root.querySelector(".app-map__legend");
  var colourSelect = document.getElementById("colour");
  var layerSelect = document.getElementById("layer");
  var careTypeSelect = document.getElementById("care_type");

  // Five classes of one hue, light to dark (ColorBrewer Blues), readable by people with colour blindness.
  var PALETTE = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  var NO_FIGURE = "#f3f2f1";
  var RATING_STYLE = {
    // The text colours of the GOV.UK tags the pages use for each rating (config.present.RATING_COLOURS).
    "Outstanding": { colour: "#10403c", letter: "O" },
    "Good": { colour: "#005a30", letter: "G" },
    "Requires improvement": { colour: "#594d00", letter: "R" },
    "Inadequate": { colour: "#942514", letter: "I" }
  };
  var UNRATED = { colour: "#505a5f", letter: "–" };

  canvas.removeAttribute("hidden");
  // The areas are drawn on one canvas rather than as an SVG path each: laying out 326 districts' paths took
  // Chromium one to two seconds. Markers stay DOM elements (clickable, with a title); a click or hover on an
  // area is found by the canvas renderer's own hit test, so popups and tooltips work as before.
  var map = L.map(canvas, { zoomSnap: 0.25, minZoom: 5, maxZoom: 18, attributionControl: true, preferCanvas: true });
  map.attributionControl.setPrefix(false);
  if (config.tiles) {
    L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution, maxZoom: 19 }).addTo(map);
  }
  map.setView([52.6, -1.2], 7);

  var areas = null;
  var breaks = [];

  function colouring() {
    var key = colourSelect ? colourSelect.value : config.colour;
    for (var i = 0; i < config.colourings.length; i++) {
      if (config.colourings[i].key === key) {
        return config.colourings[i];
      }
    }
    return config.colourings[0] || null;
  }

  function careType() {
    return careTypeSelect ? careTypeSelect.value : config.careType;
  }

  // A colouring's figure for an area: the property itself, or for a figure kept per care type (the capacity gap)
  // the chosen care type's.
  function valueOf(properties, item) {
    var value = properties[item.key];
    if (item.byCareType) {
      value = value ? value[careType()] : undefined;
    }
    return value;
  }

  function labelOf(item) {
    if (!item.byCareType) {
      return item.label;
    }
    var name = (config.careTypes || {})[careType()] || careType();
    return item.label + " (" + name.toLowerCase() + ")";
  }

  function format(value, share) {
    if (value === null || value === undefined) {
      return "No figure";
    }
    if (share) {
      return (value * 100).toFixed(1).replace(/\.0$/, "") + "%";
    }
    return Number(value).toLocaleString("en-GB");
  }

  function niceBreaks(values) {
    // Four break points splitting the figures' range into five equal classes.
    var lowest = Math.min.apply(null, values);
    var highest = Math.max.apply(null, values);
    if (!values.length || lowest === highest) {
      return [];
    }
    var step = (highest - lowest) / PALETTE.length;
    var found = [];
    for (var i = 1; i < PALETTE.length; i++) {
      found.push(lowest + step * i);
    }
    return found;
  }

  function fillFor(value) {
    if (value === null || value === undefined) {
      return NO_FIGURE;
    }
    if (!breaks.length) {
      return PALETTE[2];
    }
    for (var i = 0; i < breaks.length; i++) {
      if (value < breaks[i]) {
        return PALETTE[i];
      }
    }
    return PALETTE[PALETTE.length - 1];
  }

  // Every value the map writes into HTML (tooltips, popups, the legend) goes through this: names come from
  // boundary files, the CQC feed and tenders, and a name is text, never markup. Quotes too, for attributes.
  var HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" };

  function escapeHtml(text) {
    return (text === null || text === undefined ? "" : String(text)).replace(/[&<>"']/g, function (character) {
      return HTML_ESCAPES[character];
    });
  }

  // An area's own page: a lot area's lot, a district's (or a ward's district's) capacity gaps.
  function areaLink(properties) {
    if (properties.lot_id) {
      return { href: config.lotUrl.replace(/\/0\/$/, "/" + encodeURIComponent(properties.lot_id) + "/"),
               text: "View lot " + (properties.lot_code || "") };
    }
    var district = properties.kind === "district" ? properties.code : properties.kind === "ward" ? properties.parent : null;
    if (district) {
      return { href: config.gapsUrl + "?locality=" + encodeURIComponent(district),
               text: "Capacity gaps in " + (properties.kind === "district" ? properties.name : "its district") };
    }
    return null;
  }

  function areaPopup(properties) {
    var html = "<h3 class='govuk-heading-s'>" + escapeHtml(properties.name) + "</h3><dl class='app-map__figures'>";
    config.colourings.forEach(function (item) {
      html += "<dt>" + escapeHtml(labelOf(item)) + "</dt><dd>" + escapeHtml(format(valueOf(properties, item), item.share)) + "</dd>";
    });
    if (config.lotArea && properties.lot_code) {
      html += "<dt>Lot</dt><dd>" + escapeHtml(properties.lot_code + " " + (properties.lot_name || "")) + "</dd>";
      var rag = properties.mobilisation_rag;
      html += "<dt>Status</dt><dd>" + escapeHtml((config.lotStatuses || {})[properties.lot_status] || properties.lot_status) + "</dd>";
      html += "<dt>Lead provider</dt><dd>" + escapeHtml(properties.lead_provider || "No lead provider") + "</dd>";
      html += "<dt>Mobilisation RAG</dt><dd>" + escapeHtml(rag ? rag.charAt(0).toUpperCase() + rag.slice(1) : "No plan") + "</dd>";
    }
    html += "</dl>";
    var link = areaLink(properties);
    if (link) {
      html += "<p class='govuk-body-s'><a class='govuk-link' href='" + escapeHtml(link.href) + "'>" + escapeHtml(link.text) + "</a></p>";
    }
    return html;
  }

  function drawLegend() {
    var chosen = colouring();
    if (!chosen || !areas) {
      legend.innerHTML = "";
      return;
    }
    var values = [];
    areas.eachLayer(function (shape) {
      var value = valueOf(shape.feature.properties, chosen);
      if (value !== null && value !== undefined) {
        values.push(value);
      }
    });
    var lowest = values.length ? Math.min.apply(null, values) : null;
    var highest = values.length ? Math.max.apply(null, values) : null;
    var html = "<h2 class='govuk-heading-s'>" + escapeHtml(labelOf(chosen)) + "</h2><ul class='govuk-list app-map__legend-list'>";
    if (values.length && breaks.length) {
      var edges = [lowest].concat(breaks, [highest]);
      for (var i = 0; i < PALETTE.length; i++) {
        html += "<li><span class='app-map__swatch' style='background:" + PALETTE[i] + "'></span>" +
          escapeHtml(format(edges[i], chosen.share)) + " to " + escapeHtml(format(edges[i + 1], chosen.share)) + "</li>";
      }
    } else if (values.length) {
      html += "<li><span class='app-map__swatch' style='background:" + PALETTE[2] + "'></span>" +
        escapeHtml(format(lowest, chosen.share)) + " (every area)</li>";
    }
    html += "<li><span class='app-map__swatch' style='background:" + NO_FIGURE + "'></span>No figure</li></ul>";
    html += "<h2 class='govuk-heading-s'>Care homes by CQC rating</h2><ul class='govuk-list app-map__legend-list'>";
    Object.keys(RATING_STYLE).concat(["Not yet rated"]).forEach(function (rating) {
      var style = RATING_STYLE[rating] || UNRATED;
      html += "<li><span class='app-map__pin' style='background:" + style.colour + "'>" + style.letter + "</span>" +
        escapeHtml(rating) + "</li>";
    });
    legend.innerHTML = html + "</ul>";
    legend.setAttribute("data-colour", chosen.key);
    legend.setAttribute("data-figures", String(values.length));
  }

  function recolour() {
    var chosen = colouring();
    if (!areas) {
      return;
    }
    var values = [];
    if (chosen) {
      areas.eachLayer(function (shape) {
        var value = valueOf(shape.feature.properties, chosen);
        if (value !== null && value !== undefined) {
          values.push(value);
        }
      });
    }
    breaks = niceBreaks(values);
    areas.setStyle(function (feature) {
      return {
        color: "#0b0c0c",
        weight: 1,
        fillOpacity: 0.75,
        fillColor: chosen ? fillFor(valueOf(feature.properties, chosen)) : NO_FIGURE
      };
    });
    drawLegend();
    root.setAttribute("data-colour", chosen ? chosen.key : "");
    // A canvas keeps no element per shape: the page says which fill each area is drawn with, in layer order.
    var fills = [];
    areas.eachLayer(function (shape) {
      fills.push(shape.options.fillColor);
    });
    root.setAttribute("data-fills", JSON.stringify(fills));
  }

  function drawHomes() {
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false, chunkedLoading: true });
    var template = config.homeUrl;
    homes.forEach(function (home) {
      var style = RATING_STYLE[home.rating] || UNRATED;
      var icon = L.divIcon({
        className: "app-map__home",
        html: "<span class='app-map__pin' style='background:" + style.colour + "'>" + style.letter + "</span>",
        iconSize: [24, 24]  // WCAG 2.2 target size: at least 24 by 24 CSS pixels
      });
      var marker = L.marker([home.lat, home.lng], { icon: icon, title: home.name + ": " + home.rating, alt: home.name });
      var link = template.replace(/\/0\/$/, "/" + encodeURIComponent(home.id) + "/");
      marker.bindPopup(
        "<h3 class='govuk-heading-s'>" + escapeHtml(home.name) + "</h3>" +
        "<p class='govuk-body-s'>" + escapeHtml(home.provider) + "<br>CQC rating: " + escapeHtml(home.rating) +
        (home.councilRating ? "<br>Council quality rating: " + escapeHtml(home.councilRating) + " (" + escapeHtml(home.councilRatedOn) + ")" : "") +
        (home.beds ? "<br>" + escapeHtml(home.beds) + " registered beds" : "") + "</p>" +
        "<p class='govuk-body-s'><a class='govuk-link' href='" + escapeHtml(link) + "'>View " + escapeHtml(home.name) + "</a></p>"
      );
      cluster.addLayer(marker);
    });
    map.addLayer(cluster);
  }

  function load() {
    // The same address the page preloads (<link rel="preload">), so the layer is already on its way.
    var address = config.layerAddress;
    root.setAttribute("data-map-state", "loading");
    fetch(address, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("The map layer could not be loaded (" + response.status + ").");
        }
        return response.json();
      })
      .then(function (collection) {
        areas = L.geoJSON(collection, {
          onEachFeature: function (feature, shape) {
            shape.bindPopup(function () { return areaPopup(feature.properties); });
            shape.bindTooltip(escapeHtml(feature.properties.name), { sticky: true });
          }
        }).addTo(map);
        recolour();
        if (collection.features.length) {
          // Without animation, so the homes are clustered where they stay by the time the page says it is drawn.
          map.fitBounds(areas.getBounds(), { padding: [8, 8], animate: false });
        }
        drawHomes();
        // The shapes are in the page once the browser has laid them out: say so for tests and benchmarks.
        window.requestAnimationFrame(function () {
          root.setAttribute("data-shapes", String(collection.features.length));
          // Milliseconds from the start of navigation to the last shape laid out (bench/bench_web_map.py).
          root.setAttribute("data-drawn-ms", String(Math.round(window.performance.now())));
          root.setAttribute("data-map-state", "drawn");
        });
      })
      .catch(function (error) {
        root.setAttribute("data-map-state", "failed");
        var message = document.createElement("p");
        message.className = "govuk-error-message";
        message.textContent = String(error && error.message ? error.message : error) + " The table below has the same figures.";
        if (window.console) {
          window.console.error(error);
        }
        canvas.parentNode.insertBefore(message, canvas);
      });
  }

  // Recolouring is done in the page; the address follows, so it can be shared or reloaded. The table below is
  // the service's: the Show button brings it in line.
  function rememberChoice(select) {
    select.addEventListener("change", function () {
      recolour();
      if (window.history && window.history.replaceState) {
        var params = new URLSearchParams(window.location.search);
        params.set(select.name, select.value);
        window.history.replaceState(null, "", "?" + params.toString());
      }
    });
  }
  if (colourSelect) {
    rememberChoice(colourSelect);
  }
  if (careTypeSelect) {
    rememberChoice(careTypeSelect);
  }
  if (layerSelect) {
    // Another layer is another table too: ask the service for the page.
    layerSelect.addEventListener("change", function () {
      var sort = document.getElementById("sort");
      if (sort) {
        sort.value = "name"; // lot columns are on the lot areas layer only
      }
      layerSelect.form.submit();
    });
  }
  load();
})();
