{# The hsMap helpers shared by the point layers (Jinja template: `this` is hotspots.maps.script.MapSetup). #}
L.Icon.Default.imagePath = {{ this.image_path|tojson }};
L.control.scale({imperial: false, position: "bottomleft"}).addTo({{ this._parent.get_name() }});
window.hsMap = (function () {
    var T = {{ this.texts|tojson }};
    var N = {{ this.names|tojson }};
    var COLOURS = {{ this.colours|tojson }};
    // Row fields: see PointRows.FIELDS; kind packs four codes (PointRows.KIND_BITS).
    var F = {{ this.fields|tojson }}, BITS = {{ this.kind_bits|tojson }};
    var ORIGIN = {{ this.origin|tojson }};
    var SCALE = {{ this.scale }};
    var PENDING = {{ this.pending_style|tojson }}, PASSIVE_PANE = {{ this.passive_pane|tojson }};
    var POINTS_PANE = {{ this.points_pane|tojson }}, FOCUS_PANE = {{ this.focus_pane|tojson }};
    var OVERDUE = {{ this.overdue_style|tojson }};
    // Thumbnails (data URIs) by escaped point id: only points with photos are listed.
    var PHOTOS = {{ this.photos|tojson }};
    function latlng(r) { return [ORIGIN[0] + r[F.lat] / SCALE, ORIGIN[1] + r[F.lon] / SCALE]; }
    function dist(m) {
        if (m < 1000) { return Math.round(m) + " m"; }
        return (m / 1000).toFixed(1).replace(".", T.decimal) + " km";
    }
    function facility(i, m, names) { return i < 0 ? T.none : names[i] + " – " + dist(m); }
    function row(h, v) { return "<tr><th>" + h + "</th><td>" + v + "</td></tr>"; }
    function code(r, field) {
        return (r[F.kind] >> BITS[field][0]) & ((1 << BITS[field][1]) - 1);
    }
    function photos(r) {
        if (!Object.prototype.hasOwnProperty.call(PHOTOS, r[F.id])) { return ""; }
        return '<div class="hs-photos">' + PHOTOS[r[F.id]].map(function (src) {
            return '<img src="' + src + '" alt="' + T.photo + '">';
        }).join("") + "</div>";
    }
    // A reviewed point whose inspection is overdue (PointRows.from_table): ringed in OVERDUE.stroke.
    function overdue(r) { return code(r, "overdue") === 1; }
    function popup(r) {
        var hazards = T.hazard.filter(function (_, bit) { return r[F.hazards] & (1 << bit); });
        var coverage = code(r, "coverage");
        return '<div class="hs-popup"><div class="hs-title">' + r[F.name] + "</div>"
            + '<div class="hs-sub">' + r[F.id] + " · " + T.risk_level[code(r, "risk_level")]
            + " · " + T.status[code(r, "status")] + "</div>"
            + (overdue(r) ? '<div class="hs-overdue-note">' + T.overdue + "</div>" : "") + "<table>"
            + row(T.h.water, T.water_type[code(r, "water_type")])
            + row(T.h.hazards, hazards.join(", ") || T.none)
            + row(T.h.commune, r[F.commune] < 0 ? T.unknown : N.commune[r[F.commune]])
            + row(T.h.inspected, r[F.inspected] < 0 ? T.unknown : N.date[r[F.inspected]])
            + row(T.h.coverage, '<span class="hs-dot" style="background:'
                + COLOURS[coverage] + '"></span>' + T.coverage[coverage])
            + row(T.h.swim, facility(r[F.swim], r[F.swim_m], N.swim))
            + row(T.h.rescue, facility(r[F.rescue], r[F.rescue_m], N.rescue))
            + "</table>" + photos(r) + "</div>";
    }
    // Every marker function takes `interactive`: false on the report map, where a tap must reach
    // the map itself (to place a point), so the marker gets no popup, no tooltip, no pointer events.
    function withPopup(marker, r, interactive) {
        return interactive ? marker.bindPopup(function () { return popup(r); }, {maxWidth: 300}) : marker;
    }
    // A point of the cluster carries its row; its popup is opened by the cluster (pointPopups).
    function point(r, interactive) {
        var coverage = code(r, "coverage"), late = overdue(r);
        return L.circleMarker(latlng(r), {
            radius: (coverage === 3 ? 7 : 6) + (late ? 1 : 0), color: late ? OVERDUE.stroke : "#1f1f1f",
            weight: late ? OVERDUE.weight : 1, fillColor: COLOURS[coverage], fillOpacity: 0.92,
            coverage: coverage, overdue: late, interactive: interactive, row: r, pane: POINTS_PANE
        });
    }
    // One click handler on the cluster layer opens the popup of whichever point was clicked: a popup
    // bound to each point costs a popup object and four listeners apiece (1 s at 100,000 points).
    // markercluster passes a point's click on to the group as "click" (a cluster's as "clusterclick").
    function pointPopups(group) {
        group.on("click", function (event) {
            var r = event.layer && event.layer.options.row;
            if (!r) { return; }
            L.popup({maxWidth: 300}).setLatLng(event.layer.getLatLng()).setContent(popup(r))
                .openOn(group._map);
        });
        return group;
    }
    function pending(r, interactive) {
        var marker = L.circleMarker(latlng(r), {
            radius: PENDING.radius, color: PENDING.stroke, weight: PENDING.weight, dashArray: PENDING.dash,
            fillColor: PENDING.fill, fillOpacity: PENDING.fill_opacity, interactive: interactive,
            pane: POINTS_PANE
        });
        return withPopup(marker, r, interactive);
    }
    function blackSpot(r, interactive) {
        var icon = L.divIcon({
            className: overdue(r) ? "hs-black-wrap hs-overdue" : "hs-black-wrap", iconSize: [20, 20],
            iconAnchor: [10, 10],
            html: '<div class="hs-black"><span class="hs-sign hs-sign-' + code(r, "coverage") + '"></span></div>'
        });
        if (!interactive) {
            return L.marker(latlng(r), {icon: icon, zIndexOffset: 1000, interactive: false, keyboard: false,
                pane: PASSIVE_PANE});
        }
        return withPopup(L.marker(latlng(r), {icon: icon, zIndexOffset: 1000, riseOnHover: true})
            .bindTooltip(r[F.name], {direction: "top", offset: [0, -12]}), r, true);
    }
    function zoomClasses(map) {
        function update() {
            var detail = map.getZoom() >= {{ this.detail_zoom }};
            map.getContainer().classList.toggle("hs-detail", detail);
        }
        map.on("zoomend", update);
        update();
    }
    // Points of each coverage code (and last, the overdue ones) under a cluster, kept on the cluster and
    // summed from its child clusters' counts and its own markers: an icon costs O(children), where getAllChildMarkers()
    // costs O(points) (0.4 s for the icons of one zoom level at 100,000 points). Recounted when the
    // cluster's number of points changed (markers are only ever added, while the layer loads).
    // _childClusters and _markers are Leaflet.markercluster 1.1.0's own (see hotspots.maps.assets).
    function coverageCounts(cluster) {
        if (cluster._hsCounts && cluster._hsCountsOf === cluster.getChildCount()) {
            return cluster._hsCounts;
        }
        var counts = [0, 0, 0, 0, 0], i, k, below;
        for (i = 0; i < cluster._childClusters.length; i++) {
            below = coverageCounts(cluster._childClusters[i]);
            for (k = 0; k < 5; k++) { counts[k] += below[k]; }
        }
        for (i = 0; i < cluster._markers.length; i++) {
            counts[cluster._markers[i].options.coverage] += 1;
            if (cluster._markers[i].options.overdue) { counts[4] += 1; }
        }
        cluster._hsCounts = counts;
        cluster._hsCountsOf = cluster.getChildCount();
        return counts;
    }
    function clusterIcon(cluster) {
        var counts = coverageCounts(cluster);
        var n = cluster.getChildCount(), start = 0, stops = [];
        for (var k = 0; k < 4; k++) {
            var end = start + 360 * counts[k] / n;
            stops.push(COLOURS[k] + " " + start + "deg " + end + "deg");
            start = end;
        }
        var size = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 42 : 48;
        return L.divIcon({
            html: '<div style="background: conic-gradient(' + stops.join(",") + ')"><span>'
                + n + "</span></div>",
            // A cluster holding an overdue point is ringed like the point.
            className: counts[4] ? "marker-cluster hs-cluster hs-cluster-overdue" : "marker-cluster hs-cluster",
            iconSize: L.point(size, size)
        });
    }
    // --- Filters applied inside the map already drawn (hotspots.maps.filtering) -----------------
    // A filter change sends which rows each point layer shows; the map shows them without being
    // built and sent again (at 100,000 points the page would otherwise redraw 10 MB of map).
    // The map is built showing every point, fitted to the whole province (focus key "").
    var MAP = {{ this._parent.get_name() }}, TARGETS = {}, focusLayer = null, focusKey = "", chosen = {};
    // Register a point layer the filter reaches: {layer: ..., rows|markers|latlngs: ...}. A layer drawn
    // after the points (the heat map, see afterPoints) may register after a filter came: it gets it then.
    function filterable(key, target) {
        TARGETS[key] = target;
        if (Object.prototype.hasOwnProperty.call(chosen, key)) { filterLayer(key, chosen[key]); }
        return target.layer;
    }
    // The rows a bit set selects (base64, bit i of byte i >> 3 for row i), or null for every row.
    function picked(bits, count) {
        if (bits === null) { return null; }
        var bytes = atob(bits), rows = [];
        for (var i = 0; i < count; i++) {
            if (bytes.charCodeAt(i >> 3) & (1 << (i & 7))) { rows.push(i); }
        }
        return rows;
    }
    // The cluster keeps its full group and swaps in a group of the chosen points: going back to
    // every point only puts the full group back on the map (its clusters are kept).
    function filterCluster(target, rows) {
        if (target.shown !== target.full) { target.layer.removeLayer(target.shown); }
        if (rows === null) {
            if (target.shown !== target.full) { target.layer.addLayer(target.full); }
            target.shown = target.full;
            return;
        }
        if (target.shown === target.full) { target.layer.removeLayer(target.full); }
        var group = L.markerClusterGroup(target.options);
        group.options.iconCreateFunction = clusterIcon;
        target.layer.addLayer(group);  // on the map first: see RiskPointCluster
        group.addLayers(rows.map(function (i) { return point(target.rows[i], target.interactive); }));
        if (target.interactive) { pointPopups(group); }
        target.shown = group;
    }
    function filterMarkers(target, rows) {
        target.layer.clearLayers();
        (rows === null ? target.markers : rows.map(function (i) { return target.markers[i]; }))
            .forEach(function (marker) { target.layer.addLayer(marker); });
    }
    function filterHeat(target, rows) {
        target.layer.setLatLngs(rows === null ? target.latlngs
            : rows.map(function (i) { return target.latlngs[i]; }));
    }
    function focus(view) {
        if (view.key === focusKey) { return; }
        if (focusLayer) { MAP.removeLayer(focusLayer); focusLayer = null; }
        if (view.outline) {
            // In a pane of its own: above the areas even when they are drawn after it.
            focusLayer = L.geoJson(view.outline, {style: view.style, interactive: false, pane: FOCUS_PANE})
                .addTo(MAP);
        }
        if (view.bounds) { MAP.fitBounds(view.bounds, {animate: false}); }
        focusKey = view.key;
    }
    // Show the rows `bits` chooses in the point layer registered as `key`.
    function filterLayer(key, bits) {
        var target = TARGETS[key];
        // Every layer starts with every row (null); a layer whose choice did not change is left be.
        if ((target.applied || null) === bits) { return; }
        target.applied = bits;
        var rows = picked(bits, target.count);
        if (target.full) { filterCluster(target, rows); }
        else if (target.markers) { filterMarkers(target, rows); }
        else { filterHeat(target, rows); }
    }
    // filter: {layers: {key: bit set or null}, view: {key, bounds, outline, style}}. A layer's choice
    // is kept for a layer not registered yet (filterable).
    function applyFilter(filter) {
        Object.keys(filter.layers).forEach(function (key) {
            chosen[key] = filter.layers[key];
            if (TARGETS[key]) { filterLayer(key, filter.layers[key]); }
        });
        focus(filter.view);
        // Counted, so a test or benchmark can wait for the map a filter change produced.
        window.hsFilters = (window.hsFilters || 0) + 1;
    }
    // Load a script or stylesheet once per page (a map drawn anew reuses it); resolves when it has loaded,
    // or failed: what needs a missing file reports its own error, and the rest is still drawn.
    function loadOnce(url, stylesheet) {
        var loads = window.hsLoads || (window.hsLoads = {});
        if (!loads[url]) {
            loads[url] = new Promise(function (done) {
                var element = document.createElement(stylesheet ? "link" : "script");
                if (stylesheet) { element.rel = "stylesheet"; element.href = url; }
                // Scripts added by a script run as they arrive, unless told to keep their order.
                else { element.async = false; element.src = url; }
                element.onload = element.onerror = function () { done(); };
                document.head.appendChild(element);
            });
        }
        return loads[url];
    }
    // Run `draw` in a task of its own once the next frame is drawn: the map's script ends with the
    // points on the map (hotspots.maps.script.AfterPointsBlock), so that frame shows them, and the
    // background layers and controls follow instead of holding the points back (benchmarks/browser_map.py).
    // `files` ({js: [...], css: [...]}) are those only the background needs (the controls' plugins):
    // fetched after that frame too, and `draw` runs once they are in. hsBackgroundDrawn is false until then.
    function afterPoints(draw, files) {
        files = files || {js: [], css: []};
        window.hsBackgroundDrawn = false;
        requestAnimationFrame(function () {
            setTimeout(function () {
                var loads = files.css.map(function (url) { return loadOnce(url, true); })
                    .concat(files.js.map(function (url) { return loadOnce(url, false); }));
                Promise.all(loads).then(function () { draw(); window.hsBackgroundDrawn = true; });
            }, 0);
        });
    }
    return {popup: popup, point: point, pointPopups: pointPopups, pending: pending, blackSpot: blackSpot,
        clusterIcon: clusterIcon, zoomClasses: zoomClasses, filterable: filterable, applyFilter: applyFilter,
        afterPoints: afterPoints, token: {{ this.token|tojson }}};
})();
hsMap.zoomClasses({{ this._parent.get_name() }});
// The risk points' circles are drawn on a canvas of their own above the areas (and the focus outline),
// whichever is added first: the areas are added after the points (hsMap.afterPoints).
{{ this._parent.get_name() }}.createPane({{ this.points_pane|tojson }}).style.zIndex = 420;
{{ this._parent.get_name() }}.createPane({{ this.focus_pane|tojson }}).style.zIndex = 430;
// Labels sit above the areas but under every marker, so they never hide a point.
{{ this._parent.get_name() }}.createPane("hsLabels").style.zIndex = 450;
// Markers that must not catch a tap (report map): nothing in this pane takes pointer events (see CSS).
{{ this._parent.get_name() }}.createPane({{ this.passive_pane|tojson }}).style.zIndex = 600;
