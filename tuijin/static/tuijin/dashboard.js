/* tuijin dashboard: draws the charts from the page's JSON (json_script "dashboard-data").
   Every bar / funnel stage carries the URL of the ledger rows behind it: clicking it opens that ledger. */
(function () {
  "use strict";

  var COLORS = { azure: "#4299e1", orange: "#f76707", green: "#2fb344", teal: "#0ca678", red: "#d63939",
                 blue: "#206bc4", purple: "#ae3ec9", secondary: "#667382" };
  var FONT = '"PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';

  function el(id) { return document.getElementById(id); }

  function narrow() { return window.matchMedia("(max-width: 576px)").matches; }

  function openUrl(params) {
    var d = params && params.data;
    if (d && d.url) { window.location.href = d.url; }
  }

  function base() {
    return { textStyle: { fontFamily: FONT }, animationDuration: 400 };
  }

  function funnelOption(data) {
    var palette = [COLORS.secondary, COLORS.azure, COLORS.orange, COLORS.green, COLORS.teal];
    var max = Math.max.apply(null, data.map(function (d) { return d.value; }).concat([1]));
    return Object.assign(base(), {
      tooltip: { trigger: "item", formatter: "{b}: {c}" },
      series: [{
        type: "funnel", sort: "none", left: "8%", right: "8%", top: 8, bottom: 8, min: 0, max: max,
        minSize: "38%", gap: 3, cursor: "pointer",
        label: { show: true, position: "inside", formatter: "{b}  {c}", color: "#fff", fontWeight: 600, fontSize: 13 },
        itemStyle: { borderWidth: 0 },
        data: data.map(function (d, i) {
          return { name: d.name, value: d.value, url: d.url, itemStyle: { color: palette[i % palette.length] } };
        })
      }]
    });
  }

  function periodsOption(chart, labels) {
    var small = narrow();
    var series = chart.series.map(function (s) {
      return {
        name: s.name, type: "bar", stack: "count", barMaxWidth: 36, cursor: "pointer",
        itemStyle: { color: COLORS[s.color] || s.color },
        emphasis: { focus: "series" },
        data: s.data.map(function (d) { return { value: d.value, url: d.url }; })
      };
    });
    series.push({
      name: chart.investment.name, type: "line", yAxisIndex: 1, smooth: false, symbolSize: 7, cursor: "pointer",
      itemStyle: { color: COLORS.red }, lineStyle: { width: 2 },
      data: chart.investment.data.map(function (d) { return { value: Number(d.value), url: d.url }; })
    });
    return Object.assign(base(), {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, itemWidth: 12, itemHeight: 10, textStyle: { fontSize: small ? 11 : 12 } },
      grid: { left: 8, right: 8, top: small ? 56 : 36, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: chart.categories, axisLabel: { interval: 0, rotate: chart.categories.length > 6 && small ? 40 : 0 } },
      yAxis: [
        { type: "value", name: labels.projects, minInterval: 1, nameTextStyle: { align: "left" } },
        { type: "value", name: labels.yi, splitLine: { show: false }, nameTextStyle: { align: "right" } }
      ],
      series: series
    });
  }

  function industriesOption(chart) {
    var small = narrow();
    return Object.assign(base(), {
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (items) {
          var d = items[0].data;
          return items[0].name + "<br>" + chart.count_name + ": " + d.value + "<br>" + chart.investment_name + ": " + d.investment;
        }
      },
      grid: { left: 8, right: 96, top: 8, bottom: 4, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: chart.data.map(function (d) { return d.name; }),
               axisLabel: { width: small ? 84 : 160, overflow: "truncate" } },
      series: [{
        type: "bar", barMaxWidth: 22, cursor: "pointer", itemStyle: { color: COLORS.blue },
        label: { show: true, position: "right", formatter: function (p) { return p.data.value + " · " + p.data.investment + " " + chart.yi; } },
        data: chart.data.map(function (d) { return { value: d.value, investment: d.investment, url: d.url }; })
      }]
    });
  }

  function draw() {
    var source = el("dashboard-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];
    function make(id, option) {
      var node = el(id);
      if (!node) { return; }
      if (id === "chart-industries") {  // one row per industry: grow with the data
        node.style.height = Math.max(220, 34 * data.industries.data.length + 40) + "px";
      }
      var chart = echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(option);
      chart.on("click", openUrl);
      charts.push(chart);
    }
    make("chart-funnel", funnelOption(data.funnel));
    make("chart-periods", periodsOption(data.periods, data.labels));
    make("chart-industries", industriesOption(Object.assign({ yi: data.labels.yi }, data.industries)));
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 120);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
