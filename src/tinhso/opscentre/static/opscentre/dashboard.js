/* The dashboard's charts (ECharts) and their live refresh.
 * htmx re-fetches the KPI fragment every few seconds; when its numbers change (data-stamp) the
 * charts are re-set from the small JSON endpoint. Open group cards stay open across refreshes. */
(function () {
  "use strict";
  var charts = {};
  var lastStamp = null;
  var openGroups = [];

  function dark() { return document.body.classList.contains("wall"); }

  var numberFormat = new Intl.NumberFormat(document.documentElement.lang || "vi", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function fmt(v) { return v === null || v === undefined ? "—" : numberFormat.format(Number(v)); }

  function render(data) {
    if (!window.echarts) { return; }
    var textColor = dark() ? "#e6edf3" : "#333";
    var axisColor = dark() ? "#2b3440" : "#ddd";
    var red = dark() ? "#ff6b60" : "#b3261e";
    var standingColor = { ok: "#2e8b57", warn: "#e0a000", bad: red, no_data: dark() ? "#8b949e" : "#6b7280" };
    var gaugeColor = standingColor[data.standing] || textColor;
    var unmeasuredText = data.unmeasured ? data.labels.unmeasured.replace("%(x)s", fmt(data.unmeasured).replace(/[.,]00$/, "")).replace("%(y)s", data.max) : "";
    function chart(id) {
      var el = document.getElementById(id);
      if (!el) { return null; }
      if (!charts[id]) { charts[id] = window.echarts.init(el, null, { renderer: "canvas" }); }
      return charts[id];
    }
    var gauge = chart("chart-total");
    if (gauge) {
      gauge.setOption({
        animationDuration: 400,
        series: [{
          type: "gauge", min: 0, max: data.max, startAngle: 210, endAngle: -30,
          radius: "95%", center: ["50%", "58%"],
          progress: { show: true, width: 22, itemStyle: { color: gaugeColor } },
          axisLine: { lineStyle: { width: 22, color: [[1, axisColor]] } },
          axisTick: { show: false }, splitLine: { show: false },
          axisLabel: { show: false },
          pointer: { show: false }, title: { show: false },
          detail: { valueAnimation: true, fontSize: dark() ? 44 : 34, fontWeight: 700, color: gaugeColor, offsetCenter: [0, "0%"],
                    formatter: function (v) { return unmeasuredText ? fmt(v) + "\n{u|" + unmeasuredText + "}" : fmt(v); },
                    rich: { u: { fontSize: 12, fontWeight: 400, color: textColor, padding: [6, 0, 0, 0] } } },
          data: [{ value: data.total === null ? 0 : data.total, name: data.labels.total }]
        }]
      });
    }
    var bars = chart("chart-groups");
    if (bars) {
      bars.setOption({
        grid: { left: 8, right: 64, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                   formatter: function (p) { var g = data.groups[p[0].dataIndex]; return g.ratio === null ? g.name + "<br>" + data.labels.no_data : g.name + "<br>" + fmt(g.score) + " / " + g.max + " (" + fmt(g.ratio) + " %)"; } },
        xAxis: { type: "value", max: 100, axisLabel: { color: textColor }, splitLine: { lineStyle: { color: axisColor } } },
        yAxis: { type: "category", inverse: true, data: data.groups.map(function (g) { return g.name; }),
                 axisLabel: { color: textColor, width: 150, overflow: "truncate" } },
        series: [{ type: "bar", name: data.labels.ratio, barMaxWidth: 22,
                   data: data.groups.map(function (g) { return g.ratio; }),
                   itemStyle: { color: function (p) { return p.value >= 80 ? "#2e8b57" : (p.value >= 50 ? "#e0a000" : red); } },
                   label: { show: true, position: "right", color: textColor, formatter: function (p) { var g = data.groups[p.dataIndex]; return g.ratio === null ? data.labels.no_data : fmt(g.score) + "/" + g.max; } } }]
      });
    }
    var line = chart("chart-trend");
    if (line) {
      line.setOption({
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", formatter: function (p) { var t = data.trend[p[0].dataIndex]; return t.label + "<br>" + (t.total === null ? data.labels.no_dossiers : fmt(t.total)); } },
        xAxis: { type: "category", data: data.trend.map(function (p) { return p.label || p.period; }), axisLabel: { color: textColor } },
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { color: textColor }, splitLine: { lineStyle: { color: axisColor } } },
        // A month without dossiers is a gap (null), never a point at 0.
        series: [{ type: "line", name: data.labels.trend, smooth: true, symbolSize: 8, connectNulls: false,
                   lineStyle: { width: 3, color: red }, itemStyle: { color: red }, areaStyle: { opacity: 0.08, color: red },
                   label: { show: dark(), color: textColor, formatter: function (p) { return fmt(p.value); } },
                   data: data.trend.map(function (p) { return p.total; }) }]
      });
    }
  }

  function refresh() {
    var urls = document.getElementById("board-urls");
    if (!urls) { return; }
    fetch(urls.getAttribute("data-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { render(data); } })
      .catch(function () { /* the next poll tries again */ });
  }

  function init() {
    var initial = document.getElementById("board-data");
    if (initial) { render(JSON.parse(initial.textContent)); }
    var kpis = document.getElementById("kpis");
    if (kpis) { lastStamp = kpis.getAttribute("data-stamp"); }
    window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
    document.body.addEventListener("htmx:beforeSwap", function (e) {
      if (e.detail.target && e.detail.target.id === "kpis") {
        openGroups = Array.prototype.map.call(document.querySelectorAll("#kpis details[open]"), function (d) { return d.getAttribute("data-group"); });
      }
    });
    document.body.addEventListener("htmx:afterSwap", function () {
      var fresh = document.getElementById("kpis");
      if (!fresh) { return; }
      openGroups.forEach(function (code) {
        var d = fresh.querySelector('details[data-group="' + code + '"]');
        if (d) { d.open = true; }
      });
      var stamp = fresh.getAttribute("data-stamp");
      if (stamp !== lastStamp) { lastStamp = stamp; refresh(); }
    });
  }

  if (document.readyState !== "loading") { init(); } else { document.addEventListener("DOMContentLoaded", init); }
})();
