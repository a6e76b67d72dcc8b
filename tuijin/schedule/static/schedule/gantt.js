/* tuijin wall charts (挂图作战), drawn with ECharts custom series on a canvas.
 *
 * tjGantt.project(el, data, labels): one project's nodes — forecast/actual bars coloured by warning level, the
 *   latest window from backward scheduling, the baseline under the current plan, the critical path, dependency
 *   arrows, today and the target.
 * tjGantt.portfolio(el, data, labels, urlPattern): every project's key nodes on one chart; only the rows in
 *   view are drawn (y dataZoom with filterMode "filter"), so 2,000 projects scroll smoothly.
 *
 * When the first frame is drawn, window.tjGanttDrawn holds performance.now() (read by the benchmark and tests).
 */
(function () {
  "use strict";
  var DAY = 86400000;
  var COLORS = { red: "#d63939", yellow: "#f59f00", green: "#2fb344", done: "#667382", error: "#9f1d20", "": "#94a3b8" };
  var ACTUAL = "#206bc4";
  var FONT = '"PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';

  function ts(s) { return s ? Date.parse(s + "T00:00:00Z") : null; }
  function iso(t) { return new Date(t).toISOString().slice(0, 10); }
  function phone(el) { return el.clientWidth < 600; }

  function drawn(chart) {
    chart.on("finished", function once() {
      chart.off("finished", once);
      window.tjGanttDrawn = performance.now();
      document.body.setAttribute("data-gantt-drawn", "1");
    });
  }

  function resizeWith(chart) {
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function baseOption(el, minT, maxT) {
    return {
      animation: false,
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "item", confine: true, textStyle: { fontSize: 12 } },
      xAxis: {
        type: "time", position: "top", min: minT, max: maxT,
        splitLine: { show: true, lineStyle: { color: "#eef1f5" } },
        axisLabel: { color: "#475569", fontSize: 11, hideOverlap: true,
          formatter: { year: "{yyyy}", month: "{yyyy}-{MM}", day: "{MM}-{dd}" } },
        axisLine: { lineStyle: { color: "#cbd5e1" } },
        splitNumber: phone(el) ? 3 : 8
      }
    };
  }

  function todayLine(asOf, labels, target) {
    var data = [{ xAxis: ts(asOf), label: { formatter: labels.today + " " + asOf.slice(5), color: COLORS.red },
      lineStyle: { color: COLORS.red, type: "dashed", width: 1.5 } }];
    if (target) {
      data.push({ xAxis: ts(target.date) + DAY - 1, label: { formatter: labels.target + " " + target.date, color: "#1e293b" },
        lineStyle: { color: "#1e293b", type: "solid", width: 1.5 } });
    }
    return { symbol: ["none", "none"], silent: true, animation: false, label: { position: "end", fontSize: 11, distance: 4 }, data: data };
  }

  /* ---------------- one project ---------------- */

  function project(el, data, labels) {
    var nodes = data.nodes;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    drawn(chart);
    var times = [ts(data.as_of)];
    nodes.forEach(function (n) {
      ["es", "ef", "ls", "lf", "as", "af", "bs", "bf", "ps", "pf"].forEach(function (k) { if (n[k]) times.push(ts(n[k])); });
    });
    if (data.target) times.push(ts(data.target.date));
    var minT = Math.min.apply(null, times) - 10 * DAY;
    var maxT = Math.max.apply(null, times) + 20 * DAY;
    var small = phone(el);
    var names = nodes.map(function (n, i) { return (i + 1) + ". " + n.name; });

    function rowBox(api, i) {
      var c = api.coord([minT, i]);
      var h = api.size([0, 1])[1];
      return { y: c[1] - h / 2, h: h };
    }
    function x(api, t) { return api.coord([t, 0])[0]; }

    function renderNode(params, api) {
      var i = api.value(0);
      var n = nodes[i];
      var row = rowBox(api, i);
      var children = [];
      var mid = row.y + row.h * 0.42;
      var barH = Math.max(6, row.h * 0.42);
      // the latest window (倒排): a dashed outline from the latest start to the latest finish
      if (n.ls && n.lf) {
        var lx0 = x(api, ts(n.ls)), lx1 = x(api, ts(n.lf) + DAY);
        children.push({ type: "rect", shape: { x: lx0, y: mid - barH / 2 - 3, width: Math.max(2, lx1 - lx0), height: barH + 6 },
          style: { fill: "rgba(32,107,196,0.04)", stroke: n.status === "red" ? COLORS.red : "#64748b", lineWidth: 1, lineDash: [4, 3] } });
      }
      // the baseline, a thin grey bar under the current plan
      if (n.bs && n.bf) {
        var bx0 = x(api, ts(n.bs)), bx1 = x(api, ts(n.bf) + DAY);
        children.push({ type: "rect", shape: { x: bx0, y: row.y + row.h * 0.78, width: Math.max(2, bx1 - bx0), height: Math.max(3, row.h * 0.12) },
          style: { fill: "#94a3b8" } });
      }
      var start = n.as || n.es, finish = n.af || n.ef;
      if (start && finish) {
        var sx = x(api, ts(start)), fx = x(api, ts(finish) + DAY);
        var color = n.af ? COLORS.done : (COLORS[n.status] || COLORS.green);
        if (n.duration === 0) {
          var cx = x(api, ts(finish) + DAY / 2), r = barH * 0.75;
          children.push({ type: "polygon", shape: { points: [[cx, mid - r], [cx + r, mid], [cx, mid + r], [cx - r, mid]] },
            style: { fill: n.af ? ACTUAL : color, stroke: n.critical ? COLORS.red : "#fff", lineWidth: n.critical ? 2 : 1 } });
        } else {
          children.push({ type: "rect", shape: { x: sx, y: mid - barH / 2, width: Math.max(3, fx - sx), height: barH, r: 2 },
            style: { fill: color, opacity: n.af ? 0.9 : 0.85, stroke: n.critical ? COLORS.red : null, lineWidth: n.critical ? 2 : 0 } });
          // the part already done: from the actual start to the actual finish, or to today
          if (n.as) {
            var doneEnd = n.af ? fx : Math.min(fx, x(api, ts(data.as_of) + DAY));
            children.push({ type: "rect", shape: { x: sx, y: mid - barH / 4, width: Math.max(2, doneEnd - sx), height: barH / 2 },
              style: { fill: ACTUAL } });
          }
          if (n.milestone) {  // a ledger milestone reached at the end of a long node (达效): a diamond at its finish
            var mr = barH * 0.6;
            children.push({ type: "polygon", shape: { points: [[fx, mid - mr], [fx + mr, mid], [fx, mid + mr], [fx - mr, mid]] },
              style: { fill: n.af ? ACTUAL : color, stroke: "#fff", lineWidth: 1 } });
          }
        }
        if (!small && n.late > 0) {
          children.push({ type: "text", style: { text: "+" + n.late, x: Math.max(fx, sx + barH) + 4, y: mid, fill: COLORS.red,
            font: "bold 11px " + FONT, verticalAlign: "middle" } });
        }
      }
      return { type: "group", children: children };
    }

    function renderLink(params, api) {
      var l = data.links[api.value(0)];
      var p = nodes[l[0]], s = nodes[l[1]];
      var pStart = p.as || p.es, pFinish = p.af || p.ef, sStart = s.as || s.es;
      if (!pFinish || !sStart) return null;
      var from = l[2] === "SS" ? ts(pStart) : ts(pFinish) + DAY;
      var rp = rowBox(api, l[0]), rs = rowBox(api, l[1]);
      var x0 = x(api, from), y0 = rp.y + rp.h * 0.42;
      var x1 = x(api, ts(sStart)), y1 = rs.y + rs.h * 0.42 - Math.max(6, rs.h * 0.42) / 2;
      var critical = p.critical && s.critical;
      var color = critical ? COLORS.red : "#94a3b8";
      var bend = Math.max(x0 + 4, x1);
      var pts = [[x0, y0], [bend, y0], [bend, y1]];
      return { type: "group", children: [
        { type: "polyline", shape: { points: pts }, style: { stroke: color, lineWidth: critical ? 1.4 : 1, fill: null } },
        { type: "polygon", shape: { points: [[bend - 3, y1 - 5], [bend + 3, y1 - 5], [bend, y1]] }, style: { fill: color } }
      ] };
    }

    function tip(params) {
      if (params.seriesIndex !== 0) return "";
      var n = nodes[params.value[0]];
      var lv = labels.levels[n.status] || n.status;
      var lines = ["<b>" + n.name + "</b> · " + lv + (n.critical ? " · " + labels.critical : "")];
      if (n.unit) lines.push(labels.unit + ": " + n.unit);
      lines.push(labels.earliest + ": " + (n.es || "—") + " ~ " + (n.ef || "—"));
      lines.push(labels.latestShort + ": " + (n.ls || "—") + " ~ " + (n.lf || "—"));
      if (n.float !== null) lines.push(labels.float + ": " + n.float + " " + labels.days);
      if (n.as || n.af) lines.push(labels.actual + ": " + (n.as || "—") + " ~ " + (n.af || "—"));
      if (n.bf) lines.push(labels.baseline + ": " + (n.bs || "—") + " ~ " + n.bf);
      if (n.late > 0) lines.push('<span style="color:' + COLORS.red + '">' + n.late + " " + labels.late + "</span>");
      return lines.join("<br>");
    }

    var option = baseOption(el, minT, maxT);
    option.tooltip.formatter = tip;
    option.grid = { left: small ? 96 : 190, right: small ? 8 : 40, top: 40, bottom: small ? 36 : 40 };
    option.yAxis = {
      type: "category", inverse: true, data: names,
      axisTick: { show: false }, axisLine: { lineStyle: { color: "#cbd5e1" } },
      splitLine: { show: true, lineStyle: { color: "#f1f5f9" } },
      axisLabel: { width: small ? 90 : 180, overflow: "truncate", fontSize: small ? 11 : 12,
        color: function (value, i) { return nodes[i] && nodes[i].critical ? COLORS.red : "#1e293b"; },
        fontWeight: "normal" }
    };
    option.dataZoom = [
      { type: "inside", xAxisIndex: 0, filterMode: "none", zoomOnMouseWheel: "ctrl", moveOnMouseWheel: false },
      { type: "slider", xAxisIndex: 0, filterMode: "none", height: 16, bottom: 6, showDetail: false, brushSelect: false }
    ];
    option.series = [
      { type: "custom", renderItem: renderNode, encode: { x: [1, 2], y: 0 }, clip: true,
        data: nodes.map(function (n, i) {
          var s = n.as || n.es || n.ls || data.as_of, f = n.af || n.ef || n.lf || data.as_of;
          return [i, ts(s), ts(f)];
        }),
        markLine: todayLine(data.as_of, labels, data.target) },
      { type: "custom", renderItem: renderLink, silent: true, clip: true, z: 1,
        data: data.links.map(function (l, i) { return [i, minT, minT]; }), encode: { x: [1, 2], y: 0 } }
    ];
    chart.setOption(option);
    resizeWith(chart);
    return chart;
  }

  /* ---------------- the portfolio ---------------- */

  function portfolio(el, data, labels, urlPattern) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    drawn(chart);
    var keys = data.key_nodes, shorts = data.key_short;
    var cats = [], rows = [], last = null, groupCounts = {};
    data.rows.forEach(function (r) { groupCounts[r.group] = (groupCounts[r.group] || 0) + 1; });
    data.rows.forEach(function (r) {
      if (r.group && r.group !== last) {
        cats.push("{h|" + r.group + " · " + groupCounts[r.group] + "}");
        rows.push(null);
        last = r.group;
      }
      var color = r.level ? (r.level === "done" ? "d" : r.level.charAt(0)) : "n";
      cats.push("{" + color + "|●} " + r.name.replace(/[{}|]/g, ""));
      rows.push(r);
    });
    var minT = Infinity, maxT = -Infinity;
    var items = [];
    rows.forEach(function (r, i) {
      if (!r || !r.m.length) return;
      var first = ts(r.m[0][1]), lastT = ts(r.m[r.m.length - 1][1]);
      if (first < minT) minT = first;
      if (lastT > maxT) maxT = lastT;
      items.push([i, first, lastT]);
    });
    var today = ts(data.as_of);
    if (!isFinite(minT)) { minT = today; maxT = today; }
    minT = Math.min(minT, today) - 30 * DAY;
    maxT = Math.max(maxT, today) + 60 * DAY;
    var small = phone(el);

    function render(params, api) {
      var i = api.value(0), r = rows[i];
      var c0 = api.coord([api.value(1), i]), c1 = api.coord([api.value(2) + DAY, i]);
      var h = api.size([0, 1])[1];
      var y = c0[1];
      var size = Math.max(8, Math.min(16, h * 0.66));
      var children = [{ type: "line", shape: { x1: c0[0], y1: y, x2: c1[0], y2: y },
        style: { stroke: r.level === "red" ? "#f1a7a7" : "#cbd5e1", lineWidth: 2 } }];
      r.m.forEach(function (m) {
        var cx = api.coord([ts(m[1]) + DAY / 2, i])[0];
        var color = m[2] ? COLORS.done : (COLORS[m[3]] || COLORS[""]);
        var done = m[2] === 1;
        children.push({ type: "circle", shape: { cx: cx, cy: y, r: size / 2 },
          style: { fill: done ? (m[3] === "done" ? ACTUAL : color) : "#fff", stroke: done ? "#fff" : color, lineWidth: done ? 1 : 1.6 } });
        if (size >= 12) {
          children.push({ type: "text", silent: true, style: { text: shorts[m[0]], x: cx, y: y, align: "center", verticalAlign: "middle",
            fill: done ? "#fff" : color, font: (size - 5) + "px " + FONT } });
        }
      });
      return { type: "group", children: children };
    }

    function tip(params) {
      var r = rows[params.value[0]];
      if (!r) return "";
      var lines = ["<b>" + r.name + "</b> " + r.code + (r.level ? " · " + (labels.levels[r.level] || labels.error) : "")];
      r.m.forEach(function (m) {
        lines.push(keys[m[0]] + ": " + m[1] + " " + (m[2] ? "✓" : "(" + labels.forecast + ")"));
      });
      if (r.short > 0) lines.push('<span style="color:' + COLORS.red + '">' + r.short + " " + labels.late + "</span>");
      return lines.join("<br>");
    }

    var visible = Math.max(8, Math.floor((el.clientHeight - 90) / 24));
    var option = baseOption(el, minT, maxT);
    option.tooltip.formatter = tip;
    option.grid = { left: small ? 120 : 250, right: 28, top: 36, bottom: 34 };
    option.yAxis = {
      type: "category", inverse: true, data: cats, triggerEvent: true,
      axisTick: { show: false }, axisLine: { lineStyle: { color: "#cbd5e1" } },
      splitLine: { show: true, lineStyle: { color: "#f1f5f9" } },
      axisLabel: { width: small ? 114 : 240, overflow: "truncate", fontSize: small ? 11 : 12, color: "#1e293b", interval: 0,
        rich: {
          h: { fontWeight: "bold", color: "#9f1d20", fontSize: small ? 11 : 13 },
          r: { color: COLORS.red }, y: { color: COLORS.yellow }, g: { color: COLORS.green }, d: { color: COLORS.done },
          e: { color: COLORS.error }, n: { color: "#cbd5e1" }
        } }
    };
    option.dataZoom = [
      { type: "slider", yAxisIndex: 0, filterMode: "filter", right: 4, width: 14, startValue: 0,
        endValue: Math.min(cats.length - 1, visible - 1), showDetail: false, brushSelect: false, zoomLock: true },
      { type: "inside", yAxisIndex: 0, filterMode: "filter", zoomOnMouseWheel: false, moveOnMouseWheel: true, moveOnMouseMove: true },
      { type: "slider", xAxisIndex: 0, filterMode: "none", height: 14, bottom: 6, showDetail: false, brushSelect: false,
        startValue: Math.max(minT, today - 400 * DAY), endValue: maxT },
      { type: "inside", xAxisIndex: 0, filterMode: "none", zoomOnMouseWheel: "ctrl", moveOnMouseWheel: false, moveOnMouseMove: false }
    ];
    option.series = [{ type: "custom", renderItem: render, encode: { x: [1, 2], y: 0 }, data: items, clip: true,
      progressive: 0, markLine: todayLine(data.as_of, labels, null) }];
    chart.setOption(option);
    function open(i) {
      var r = rows[i];
      if (r) window.location.href = urlPattern.replace(/0\/$/, r.id + "/");
    }
    chart.on("click", function (p) {
      if (p.componentType === "series") open(p.value[0]);
      else if (p.componentType === "yAxis") open(cats.indexOf(p.value));
    });
    resizeWith(chart);
    return chart;
  }

  window.tjGantt = { project: project, portfolio: portfolio, iso: iso };
})();
