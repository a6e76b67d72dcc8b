/* tuijin coordination statistics: tasks by lead unit (stacked: closed on time, closed late, open, overdue) and
   problems by category (solved, not solved). Data from the page's JSON (#coordination-stats-data); clicking a bar
   opens the list of exactly the tasks or problems it counts. */
(function () {
  "use strict";

  var C = { closed_on_time: "#2fb344", closed_late: "#f59f00", open: "#a8b3c4", overdue: "#d63939",
            solved: "#2fb344", unsolved: "#d63939" };
  var FONT = '"PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';

  function narrow() { return window.matchMedia("(max-width: 576px)").matches; }

  /* On a phone the units' shared prefix (经开区…) takes the room the names need: drop it there. */
  function shorten(names) {
    if (names.length < 2) { return names; }
    var prefix = names[0];
    names.forEach(function (n) { while (n.indexOf(prefix) !== 0) { prefix = prefix.slice(0, -1); } });
    return prefix.length >= 2 ? names.map(function (n) { return n.slice(prefix.length) || n; }) : names;
  }

  function stacked(block, labels, small) {
    var names = (small ? shorten(block.names) : block.names).slice().reverse();
    return {
      textStyle: { fontFamily: FONT },
      animationDuration: 400,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: { top: 0, itemWidth: 14, itemHeight: 9, textStyle: { fontSize: small ? 11 : 12 } },
      grid: { left: 10, right: 16, top: small ? 54 : 34, bottom: 4, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names, axisLabel: { width: small ? 84 : 170, overflow: "truncate" } },
      series: block.series.map(function (s) {
        return {
          name: labels[s.key], type: "bar", stack: "all", barMaxWidth: 22, cursor: "pointer",
          itemStyle: { color: C[s.key] },
          label: { show: !small, position: "inside", fontSize: 11, color: "#fff",
                   formatter: function (p) { return p.value ? p.value : ""; } },
          data: s.data.slice().reverse().map(function (v, i) {
            return { value: v, url: s.links.slice().reverse()[i] };
          })
        };
      })
    };
  }

  function draw() {
    var source = document.getElementById("coordination-stats-data");
    if (!source || typeof echarts === "undefined") { return; }
    var d = JSON.parse(source.textContent);
    var charts = [];
    function make(id, block) {
      var node = document.getElementById(id);
      if (!node || !block.names.length) { return; }
      node.style.height = Math.max(200, 34 * block.names.length + 70) + "px";
      var chart = echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(stacked(block, d.labels, narrow()));
      chart.on("click", function (p) { if (p.data && p.data.url && p.data.value) { window.location.href = p.data.url; } });
      charts.push(chart);
    }
    make("chart-units", d.units);
    make("chart-categories", d.categories);
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 120);
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
