/* tuijin investment charts: monthly plan vs investment (bars), the cumulative S-curve (plan, actual, forecast to
   year end) and completion by group against 序时进度. Data from the page's JSON (#investment-chart-data): money
   as exact decimal strings, turned into numbers here only to draw. Also the plan form's running sum of the twelve
   manual months. */
(function () {
  "use strict";

  var C = { plan: "#a8b3c4", actual: "#206bc4", forecast: "#f76707", green: "#2fb344", yellow: "#f59f00",
            red: "#d63939", line: "#1d273b" };
  var FONT = '"PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';

  function narrow() { return window.matchMedia("(max-width: 576px)").matches; }
  function num(v) { return v === null || v === undefined ? null : Number(v); }
  function nums(list) { return (list || []).map(num); }
  function fmt(v) {
    if (v === null || v === undefined || isNaN(v)) { return "—"; }
    return Number(v).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function axisFmt(v) { return Math.abs(v) >= 10000 ? (v / 10000).toFixed(1).replace(/\.0$/, "") + "亿" : v; }

  function base() {
    return { textStyle: { fontFamily: FONT }, animationDuration: 400,
             tooltip: { trigger: "axis", valueFormatter: fmt } };
  }

  function grid(small) { return { left: 6, right: 12, top: small ? 54 : 40, bottom: 4, containLabel: true }; }

  function legend(small) { return { top: 0, itemWidth: 14, itemHeight: 9, textStyle: { fontSize: small ? 11 : 12 } }; }

  function months(d, small) {
    return d.labels.months.map(function (m, i) { return small ? String(i + 1) : m; });
  }

  function monthlyOption(d) {
    var small = narrow();
    return Object.assign(base(), {
      legend: legend(small),
      grid: grid(small),
      xAxis: { type: "category", data: months(d, small), axisTick: { alignWithLabel: true } },
      yAxis: { type: "value", axisLabel: { formatter: axisFmt } },
      series: [
        { name: d.labels.plan, type: "bar", barGap: "10%", barMaxWidth: 22, itemStyle: { color: C.plan },
          data: nums(d.plan) },
        { name: d.labels.actual, type: "bar", barMaxWidth: 22, itemStyle: { color: C.actual }, data: nums(d.actual) }
      ]
    });
  }

  function scurveOption(d) {
    var small = narrow();
    var series = [
      { name: d.labels.planCumulative, type: "line", symbol: "circle", symbolSize: 5, lineStyle: { width: 2, color: C.plan },
        itemStyle: { color: C.plan }, areaStyle: { color: "rgba(168,179,196,.15)" }, data: nums(d.planCumulative) },
      { name: d.labels.actualCumulative, type: "line", symbol: "circle", symbolSize: 7, lineStyle: { width: 3, color: C.actual },
        itemStyle: { color: C.actual }, data: nums(d.actualCumulative),
        markLine: d.throughMonth < 12 ? { symbol: "none", silent: true, lineStyle: { color: C.line, type: "dashed" },
          label: { show: !small, formatter: d.labels.elapsed, position: "insideEndTop", fontSize: 11 },
          data: [{ xAxis: d.throughMonth - 1 }] } : undefined }
    ];
    if (d.forecast) {
      series.push({ name: d.labels.forecast, type: "line", symbol: "emptyCircle", symbolSize: 6, showSymbol: true,
        lineStyle: { width: 2, type: "dashed", color: C.forecast }, itemStyle: { color: C.forecast },
        data: nums(d.forecast) });
    }
    return Object.assign(base(), {
      legend: legend(small),
      grid: grid(small),
      xAxis: { type: "category", boundaryGap: false, data: months(d, small) },
      yAxis: { type: "value", axisLabel: { formatter: axisFmt } },
      series: series
    });
  }

  function groupsOption(d) {
    var g = d.groups;
    var small = narrow();
    var names = g.names.slice().reverse();
    var values = g.completion.slice().reverse().map(num);
    var colors = g.colors.slice().reverse();
    return Object.assign(base(), {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                 valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
      grid: { left: 6, right: 48, top: 24, bottom: 4, containLabel: true },
      xAxis: { type: "value", min: 0, max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); },
               axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: names, axisLabel: { width: small ? 90 : 180, overflow: "truncate" } },
      series: [{
        name: d.labels.completion, type: "bar", barMaxWidth: 20,
        label: { show: true, position: "right",
                 formatter: function (p) { return p.value === null ? "—" : Number(p.value).toFixed(1) + "%"; } },
        data: values.map(function (v, i) { return { value: v, itemStyle: { color: C[colors[i]] || C.actual } }; }),
        markLine: { symbol: "none", silent: true, lineStyle: { color: C.line, type: "dashed", width: 2 },
                    label: { formatter: d.labels.elapsed + " " + g.elapsed + "%", position: "end", fontSize: 11 },
                    data: [{ xAxis: Number(g.elapsed) }] }
      }]
    });
  }

  function draw() {
    var source = document.getElementById("investment-chart-data");
    if (!source || typeof echarts === "undefined") { return; }
    var d = JSON.parse(source.textContent);
    var charts = [];
    function make(id, build) {
      var node = document.getElementById(id);
      if (!node) { return; }
      if (id === "chart-groups") {
        node.style.height = Math.max(160, 30 * d.groups.names.length + 60) + "px";
      }
      var chart = echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(build(d));
      charts.push(chart);
    }
    make("chart-monthly", monthlyOption);
    make("chart-scurve", scurveOption);
    if (d.groups) { make("chart-groups", groupsOption); }
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 120);
    });
  }

  /* The plan form: show the twelve manual months only for a manual split, and their running sum. */
  function planForm() {
    var form = document.getElementById("plan-form");
    if (!form) { return; }
    var grid = form.querySelector("[data-months]");
    var sum = form.querySelector("[data-month-sum]");
    var amount = form.querySelector("input[name=amount]");
    function method() {
      var checked = form.querySelector("input[name=split]:checked");
      return checked ? checked.value : "";
    }
    function cents(v) { var n = Number(v); return isFinite(n) && v !== "" ? Math.round(n * 100) : null; }
    function update() {
      var manual = method() === "manual";
      grid.hidden = !manual;
      if (!manual) { return; }
      var total = 0, missing = false;
      form.querySelectorAll(".tj-month-input").forEach(function (input) {
        var c = cents(input.value);
        if (c === null) { missing = true; } else { total += c; }
      });
      var target = cents(amount.value);
      sum.textContent = fmt(total / 100) + (target === null ? "" : " / " + fmt(target / 100));
      sum.classList.toggle("tj-off", missing || target === null || total !== target);
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  function start() { draw(); planForm(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
