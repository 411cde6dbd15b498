{# Unpacks the GeoJSON of hotspots.maps.display.pack_geojson before Leaflet reads it (Jinja template). #}
(function () {
    if (L.GeoJSON.prototype.hsUnpacks) { return; }
    // One encoded polyline (precision 1e-5) to [[x, y], ...]: 5-bit groups from "?" on, 32 = "more".
    function decode(text) {
        var values = [], value = 0, shift = 0, i, group;
        for (i = 0; i < text.length; i++) {
            group = text.charCodeAt(i) - 63;
            value |= (group & 31) << shift;
            shift += 5;
            if (group < 32) {
                values.push(value & 1 ? ~(value >> 1) : value >> 1);
                value = 0;
                shift = 0;
            }
        }
        var positions = [], x = 0, y = 0;
        for (i = 0; i < values.length; i += 2) {
            x += values[i];
            y += values[i + 1];
            positions.push([x / {{ this.scale }}, y / {{ this.scale }}]);
        }
        return positions;
    }
    function unpack(coordinates) {
        if (typeof coordinates === "string") { return decode(coordinates); }
        return typeof coordinates === "number" ? coordinates : coordinates.map(unpack);
    }
    var addData = L.GeoJSON.prototype.addData;
    L.GeoJSON.prototype.addData = function (geojson) {
        if (geojson && geojson.hsPacked) {
            geojson = {type: geojson.type, features: geojson.features.map(function (feature) {
                if (!feature.geometry) { return feature; }
                var geometry = {type: feature.geometry.type, coordinates: unpack(feature.geometry.coordinates)};
                return {type: feature.type, id: feature.id, properties: feature.properties, geometry: geometry};
            })};
        }
        return addData.call(this, geojson);
    };
    L.GeoJSON.prototype.hsUnpacks = true;
})();
