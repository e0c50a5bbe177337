/* Feedback pages: "use my location" (the browser's own geolocation, no outside service), the
   Leaflet map when the province has its own tile server, and the overview's bar chart.
   Every page works without this file. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  function fixed(n) { return (Math.round(n * 1e6) / 1e6).toFixed(6); }

  function geolocate(button) {
    var lat = document.querySelector(button.getAttribute("data-lat"));
    var lng = document.querySelector(button.getAttribute("data-lng"));
    var status = button.parentNode.querySelector(".geo-status");
    if (!("geolocation" in navigator) || !lat || !lng) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.getAttribute("data-msg-wait");
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = fixed(pos.coords.latitude);
        lng.value = fixed(pos.coords.longitude);
        lat.dispatchEvent(new Event("change", { bubbles: true }));
        status.textContent = button.getAttribute("data-msg-ok");
      }, function () {
        status.textContent = button.getAttribute("data-msg-denied");
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  function tileLayer(el) {
    return window.L.tileLayer(el.getAttribute("data-tiles"), { maxZoom: 19 });
  }

  function pickMap(el) {
    var L = window.L;
    var lat = document.querySelector(el.getAttribute("data-lat"));
    var lng = document.querySelector(el.getAttribute("data-lng"));
    var start = lat.value && lng.value ? [parseFloat(lat.value), parseFloat(lng.value)] : null;
    var map = L.map(el).setView(start || [21.3227, 105.402], start ? 17 : 11);
    tileLayer(el).addTo(map);
    var marker = start ? L.marker(start).addTo(map) : null;
    function put(latlng) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
    }
    map.on("click", function (e) {
      put(e.latlng);
      lat.value = fixed(e.latlng.lat);
      lng.value = fixed(e.latlng.lng);
    });
    function fromFields() {
      var a = parseFloat(lat.value), b = parseFloat(lng.value);
      if (!isNaN(a) && !isNaN(b)) { put([a, b]); map.setView([a, b], 17); }
    }
    lat.addEventListener("change", fromFields);
    lng.addEventListener("change", fromFields);
  }

  function pointsMap(el) {
    var L = window.L;
    var points = JSON.parse(document.getElementById(el.getAttribute("data-points")).textContent);
    var map = L.map(el);
    tileLayer(el).addTo(map);
    var bounds = [];
    points.forEach(function (p) {
      var a = document.createElement("a");
      a.href = p.url;
      a.textContent = p.code + " — " + p.title + " (" + p.status + ")";
      L.marker([p.lat, p.lng]).addTo(map).bindPopup(a);
      bounds.push([p.lat, p.lng]);
    });
    if (bounds.length === 1) { map.setView(bounds[0], 16); } else { map.fitBounds(bounds, { padding: [20, 20] }); }
  }

  function chart(el) {
    var data = JSON.parse(document.getElementById(el.getAttribute("data-chart")).textContent);
    el.style.height = Math.max(160, 44 * data.categories.length + 70) + "px";
    var c = window.echarts.init(el);
    c.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: [data.labels.open, data.labels.overdue] },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.categories, inverse: true, axisLabel: { width: 160, overflow: "truncate" } },
      series: [
        { name: data.labels.open, type: "bar", data: data.open, itemStyle: { color: "#1e6b34" } },
        { name: data.labels.overdue, type: "bar", data: data.overdue, itemStyle: { color: "#b3261e" } }
      ]
    });
    window.addEventListener("resize", function () { c.resize(); });
  }

  ready(function () {
    document.querySelectorAll("[data-geolocate]").forEach(geolocate);
    if (window.L) {
      document.querySelectorAll(".feedback-map[data-pick]").forEach(pickMap);
      document.querySelectorAll(".feedback-map[data-points]").forEach(pointsMap);
    }
    if (window.echarts) { document.querySelectorAll(".chart[data-chart]").forEach(chart); }
  });
})();
