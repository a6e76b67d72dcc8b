/* tuijin big screen: draws the charts from the page's JSON (#screen-data, the same payload as GET /api/v1/screen),
   then fetches that endpoint every data-refresh seconds and updates the figures and the charts in place — the
   page never reloads. Figures are formatted exactly as the server wrote them (screen_tags, dashboard_tags).
   The map: the region's outline (vendored GeoJSON) in Web Mercator; when a tile server is configured and a tile
   loads, its tiles are drawn under the outline, otherwise the outline alone (offline). */
(function () {
  "use strict";

  var root = document.getElementById("screen");
  var data = JSON.parse(document.getElementById("screen-data").textContent);
  var L = JSON.parse(document.getElementById("screen-labels").textContent);
  var API = root.getAttribute("data-api");
  var REFRESH_MS = Math.max(5, Number(root.getAttribute("data-refresh")) || 300) * 1000;
  var FONT = '"PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';
  var C = { cyan: "#2de2ff", blue: "#3d8bff", azure: "#4dabf7", gold: "#ffc53d", green: "#3ee08f",
            orange: "#ff9f43", red: "#ff4d4f", teal: "#22d3c5", pink: "#ff6b9a", text: "#e8f3ff",
            muted: "#9ec5ee", grid: "rgba(120, 180, 255, .16)" };
  var STATES = ["signed", "started", "producing", "red"];  // drawing order: red on top
  var STATE_COLOR = { red: C.red, producing: C.green, started: C.orange, signed: C.azure };
  var charts = {};
  var nextAt = Date.now() + REFRESH_MS;
  var refreshes = 0;

  // ---- figures, as the server formats them ----------------------------------------------------------------------

  function group(digits) { return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function empty(v) { return v === null || v === undefined || v === ""; }
  var FORMAT = {
    text: function (v) { return empty(v) ? "—" : String(v); },
    count: function (v) { return group(String(Math.round(Number(v) || 0))); },
    pct: function (v) { return empty(v) ? "—" : Number(v).toFixed(1); },
    signed: function (v) {
      if (empty(v)) { return "—"; }
      var n = Number(v), s = Math.abs(n).toFixed(1);
      return n > 0 ? "+" + s : (n < 0 ? "−" + s : "0.0");
    },
    // 万元 → 亿元, two decimals, rounded half to even like Decimal.quantize (exact: in hundredths of 万元)
    yi: function (v) {
      if (empty(v)) { return "—"; }
      var cents = Math.round(Number(v) * 100), neg = cents < 0;
      if (neg) { cents = -cents; }
      var q = Math.floor(cents / 10000), r = cents - q * 10000;
      if (r > 5000 || (r === 5000 && q % 2 === 1)) { q += 1; }
      var s = String(q);
      while (s.length < 3) { s = "0" + s; }
      return (neg && q ? "-" : "") + group(s.slice(0, -2)) + "." + s.slice(-2);
    }
  };
  function at(obj, path) {
    return path.split(".").reduce(function (o, k) { return o === null || o === undefined ? undefined : o[k]; }, obj);
  }
  function fill(text, values) {
    return String(text).replace(/%\((\w+)\)s/g, function (_, k) { return values[k]; });
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function bind(d, flash) {
    document.querySelectorAll("[data-bind]").forEach(function (node) {
      var text = (FORMAT[node.getAttribute("data-format") || "text"] || FORMAT.text)(at(d, node.getAttribute("data-bind")));
      if (node.textContent !== text) {
        node.textContent = text;
        if (flash) { node.classList.remove("sc-updated"); void node.offsetWidth; node.classList.add("sc-updated"); }
      }
    });
    document.getElementById("sc-invest-card").setAttribute("data-flag", d.investment.flag);
    var note = document.getElementById("sc-map-note");
    note.textContent = d.map.without_coordinates ? fill(L.without_coordinates, { n: FORMAT.count(d.map.without_coordinates) })
                                                 : L.all_located;
    note.setAttribute("data-missing", d.map.without_coordinates);
  }

  // ---- lists that page through their rows on the wall ----------------------------------------------------------

  function pager(list, badge) {
    var page = 0;
    function show() {
      var rows = Array.prototype.filter.call(list.children, function (li) { return !li.classList.contains("sc-empty"); });
      rows.forEach(function (li) { li.hidden = false; });
      var per = rows.length ? Math.max(1, Math.floor(list.clientHeight / rows[0].offsetHeight)) : 1;
      var pages = Math.max(1, Math.ceil(rows.length / per));
      if (page >= pages) { page = 0; }
      rows.forEach(function (li, i) { li.hidden = Math.floor(i / per) !== page; });
      badge.textContent = pages > 1 ? (page + 1) + " / " + pages : "";
    }
    setInterval(function () { page += 1; show(); }, 12000);
    return { show: show, reset: function () { page = 0; show(); } };
  }

  function rankingRows(d) {
    var list = document.getElementById("sc-ranking");
    list.textContent = "";
    if (!d.ranking.rows.length) { list.appendChild(el("li", "sc-empty", L.no_ranking)); }
    d.ranking.rows.forEach(function (r) {
      var li = el("li", "sc-rank-row");
      li.setAttribute("data-flag", r.flag);
      li.appendChild(el("span", "sc-rank-no", String(r.rank)));
      li.appendChild(el("span", "sc-name", r.label));
      li.appendChild(el("span", "sc-num", FORMAT.pct(r.completion_rate) + "%"));
      li.appendChild(el("span", "sc-num sc-gap-" + r.flag, FORMAT.signed(r.gap_points)));
      list.appendChild(li);
    });
  }

  function warningRows(d) {
    var list = document.getElementById("sc-warnings");
    list.textContent = "";
    if (!d.warnings.items.length) { list.appendChild(el("li", "sc-empty", L.no_warnings)); }
    d.warnings.items.forEach(function (w) {
      var li = el("li", "sc-warn-row");
      li.setAttribute("data-level", w.level);
      li.appendChild(el("i"));
      li.appendChild(el("span", "sc-name", w.project));
      li.appendChild(el("span", "sc-node", w.node + (w.nodes > 1 ? " +" + (w.nodes - 1) : "")));
      li.appendChild(el("span", "sc-num", fill(L.days_late, { n: w.days_late })));
      list.appendChild(li);
    });
  }

  // ---- charts -----------------------------------------------------------------------------------------------------

  function glow(color) {
    return new echarts.graphic.LinearGradient(0, 0, 1, 0, [
      { offset: 0, color: color + "55" }, { offset: 0.5, color: color }, { offset: 1, color: color + "55" }]);
  }

  function funnelOption(d) {
    var keys = ["signed", "started", "in_production", "effective"];
    var colors = [C.azure, C.orange, C.green, C.teal];
    var value = {};
    d.funnel.forEach(function (f) { value[f.key] = f.value; });
    var top = Math.max(value.signed || 0, value.listed || 0, 1);
    return {
      textStyle: { fontFamily: FONT },
      animationDurationUpdate: 800,
      series: [{
        id: "funnel", type: "funnel", sort: "none", min: 0, max: top, minSize: "34%", maxSize: "100%", gap: 6,
        left: 4, right: 4, top: 6, bottom: 6, silent: true,
        label: { show: true, position: "inside", fontSize: 25, fontWeight: 700, color: "#fff",
                 textShadowColor: "rgba(0,0,0,.6)", textShadowBlur: 4,
                 formatter: function (p) { return p.name + "  " + FORMAT.count(p.value); } },
        itemStyle: { borderWidth: 0, shadowBlur: 16, shadowColor: "rgba(45, 226, 255, .35)" },
        data: keys.map(function (k, i) {
          return { name: L.funnel[k], value: value[k] || 0, itemStyle: { color: glow(colors[i]) } };
        })
      }]
    };
  }

  function toYi(v) { return empty(v) ? null : Number(v) / 10000; }

  function monthsOption(d) {
    var months = d.investment.months;
    var last = d.investment.through_month - 1;
    var axisText = { color: C.muted, fontSize: 19, fontFamily: FONT };
    return {
      textStyle: { fontFamily: FONT },
      animationDurationUpdate: 800,
      legend: { top: 0, itemWidth: 22, itemHeight: 12, itemGap: 18, textStyle: { color: C.text, fontSize: 19 } },
      grid: { left: 6, right: 8, top: 58, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: months.map(function (m) { return fill(L.month, { m: m.month }); }),
               axisLabel: Object.assign({ interval: 0, fontSize: 17 }, { color: C.muted }),
               axisLine: { lineStyle: { color: "rgba(120, 180, 255, .4)" } }, axisTick: { show: false } },
      yAxis: [
        { type: "value", name: L.yi, nameTextStyle: axisText, axisLabel: axisText,
          splitLine: { lineStyle: { color: C.grid } } },
        { type: "value", name: "%", min: 0, max: function (v) { return Math.max(100, Math.ceil(v.max / 20) * 20); },
          interval: 25, nameTextStyle: axisText, axisLabel: axisText, splitLine: { show: false } }
      ],
      series: [
        { id: "plan", name: L.plan, type: "bar", barMaxWidth: 13, barGap: "15%",
          itemStyle: { color: "rgba(61, 139, 255, .5)", borderRadius: [3, 3, 0, 0] },
          data: months.map(function (m) { return toYi(m.plan); }) },
        { id: "invested", name: L.invested, type: "bar", barMaxWidth: 13,
          itemStyle: { borderRadius: [3, 3, 0, 0], shadowBlur: 10, shadowColor: C.cyan,
                       color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [
                         { offset: 0, color: C.cyan }, { offset: 1, color: "rgba(45, 226, 255, .25)" }]) },
          data: months.map(function (m) { return toYi(m.invested); }) },
        { id: "completion", name: L.completion, type: "line", yAxisIndex: 1, symbol: "circle", symbolSize: 9,
          lineStyle: { width: 4, color: C.gold, shadowBlur: 10, shadowColor: C.gold }, itemStyle: { color: C.gold },
          data: months.map(function (m, i) {
            var point = { value: empty(m.completion_rate) ? null : Number(m.completion_rate) };
            if (i === last) {
              point.label = { show: true, position: "top", fontSize: 22, fontWeight: 700, color: C.gold,
                              formatter: function (p) { return FORMAT.pct(p.value) + "%"; } };
            }
            return point;
          }) },
        { id: "elapsed", name: L.elapsed, type: "line", yAxisIndex: 1, symbol: "none",
          lineStyle: { width: 3, type: "dashed", color: C.pink },
          data: months.map(function (m) { return Number(m.elapsed_percent); }) }
      ]
    };
  }

  // ---- the map ----------------------------------------------------------------------------------------------------

  var DEG = Math.PI / 180;
  var MERCATOR = {
    project: function (p) { return [p[0] * DEG, -Math.log(Math.tan(Math.PI / 4 + p[1] * DEG / 2))]; },
    unproject: function (p) { return [p[0] / DEG, (2 * Math.atan(Math.exp(-p[1])) - Math.PI / 2) / DEG]; }
  };
  function lon2tile(lon, z) { return Math.floor((lon + 180) / 360 * Math.pow(2, z)); }
  function lat2tile(lat, z) {
    var r = lat * DEG;
    return Math.floor((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * Math.pow(2, z));
  }
  function tile2lon(x, z) { return x / Math.pow(2, z) * 360 - 180; }
  function tile2lat(y, z) { var n = Math.PI - 2 * Math.PI * y / Math.pow(2, z); return Math.atan(Math.sinh(n)) / DEG; }

  var map = { name: null, mode: "outline", tiles: [] };
  var geoFiles = {};

  function tileUrl(tiles, x, y, z) {
    var subs = tiles.subdomains || [];
    var s = subs.length ? subs[(x + y) % subs.length] : "";
    return tiles.url.replace("{s}", s).replace("{z}", z).replace("{x}", x).replace("{y}", y);
  }

  function loadOutline(outline) {
    var key = outline.url + "#" + outline.features.join(",");
    if (map.name === key) { return Promise.resolve(key); }
    var file = geoFiles[outline.url] || (geoFiles[outline.url] = fetch(outline.url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.text(); }));
    return file.then(function (text) {
      var geo = JSON.parse(text);  // a fresh copy: registerMap decodes the coordinates in place
      var wanted = geo.features.filter(function (f) {
        return outline.features.indexOf(String(f.id || (f.properties || {}).id)) >= 0;
      });
      if (wanted.length) { geo.features = wanted; }
      echarts.registerMap(key, geo);
      map.name = key;
      return key;
    });
  }

  function pointSeries(d) {
    var byState = {};
    STATES.forEach(function (s) { byState[s] = []; });
    d.map.points.forEach(function (p) { byState[p[2]].push({ name: p[3], value: [p[0], p[1]], id: p[4] }); });
    var labelRed = byState.red.length <= 6;
    return STATES.map(function (s) {
      var red = s === "red";
      return {
        id: "p-" + s, name: L.states[s], type: red ? "effectScatter" : "scatter", coordinateSystem: "geo",
        geoIndex: 0, z: red ? 6 : 5, symbolSize: red ? 18 : 14, silent: true,
        rippleEffect: red ? { scale: 3.2, brushType: "stroke", period: 3 } : undefined,
        itemStyle: { color: STATE_COLOR[s], shadowBlur: 12, shadowColor: STATE_COLOR[s],
                     borderColor: "rgba(255,255,255,.85)", borderWidth: red ? 0 : 1.5 },
        label: { show: red && labelRed, position: "right", formatter: "{b}", fontSize: 19, color: "#ffd0d0",
                 textShadowColor: "#000", textShadowBlur: 4 },
        data: byState[s]
      };
    });
  }

  function pointBounds(d) {  // a zone's projects, padded: [[west, north], [east, south]]
    if (d.map.outline.focus !== "points" || !d.map.points.length) { return undefined; }
    var xs = d.map.points.map(function (p) { return p[0]; }), ys = d.map.points.map(function (p) { return p[1]; });
    var w = Math.min.apply(null, xs), e = Math.max.apply(null, xs);
    var s = Math.min.apply(null, ys), n = Math.max.apply(null, ys);
    var span = Math.max(e - w, n - s, 0.05) * 1.5 + 0.08;
    var cx = (w + e) / 2, cy = (s + n) / 2;
    return [[cx - span / 2, cy + span / 2], [cx + span / 2, cy - span / 2]];
  }

  function mapOption(d) {
    var tiled = map.mode === "tiles";
    return {
      textStyle: { fontFamily: FONT },
      animation: false,
      geo: {
        map: map.name, projection: MERCATOR, roam: false, silent: true, left: 16, right: 16, top: 12, bottom: 12, z: 2,
        boundingCoords: pointBounds(d),
        label: { show: true, color: "rgba(214, 236, 255, .6)", fontSize: 18 },
        itemStyle: {
          areaColor: tiled ? "rgba(2, 16, 44, .35)" : new echarts.graphic.RadialGradient(0.5, 0.5, 0.8, [
            { offset: 0, color: "rgba(22, 90, 180, .55)" }, { offset: 1, color: "rgba(8, 40, 96, .75)" }]),
          borderColor: C.cyan, borderWidth: 1.6, shadowColor: "rgba(45, 226, 255, .7)", shadowBlur: 14
        },
        emphasis: { disabled: true }
      },
      series: [{
        id: "tiles", type: "custom", coordinateSystem: "geo", geoIndex: 0, z: 1, silent: true, clip: false,
        renderItem: function (params, api) {
          var x = api.value(2), y = api.value(3), z = api.value(4);
          var a = api.coord([tile2lon(x, z), tile2lat(y, z)]);
          var b = api.coord([tile2lon(x + 1, z), tile2lat(y + 1, z)]);
          return { type: "image", silent: true,
                   style: { image: tileUrl(d.map.tiles, x, y, z), x: a[0], y: a[1], width: b[0] - a[0], height: b[1] - a[1],
                           opacity: 0.8 } };
        },
        data: tiled ? map.tiles : []
      }].concat(pointSeries(d))
    };
  }

  function pixelToLonLat(chart, pixel) {
    // convertFromPixel does not undo a custom projection; the view is linear in projected coordinates, so two
    // known points give the mapping back.
    var p1 = [100, 20], p2 = [120, 40];
    var a = chart.convertToPixel({ geoIndex: 0 }, p1), b = chart.convertToPixel({ geoIndex: 0 }, p2);
    var m1 = MERCATOR.project(p1), m2 = MERCATOR.project(p2);
    var x = m1[0] + (pixel[0] - a[0]) * (m2[0] - m1[0]) / (b[0] - a[0]);
    var y = m1[1] + (pixel[1] - a[1]) * (m2[1] - m1[1]) / (b[1] - a[1]);
    return MERCATOR.unproject([x, y]);
  }

  function tilesInView(chart) {
    var w = chart.getWidth(), h = chart.getHeight();
    var a = pixelToLonLat(chart, [0, 0]), b = pixelToLonLat(chart, [w, h]);
    if (!isFinite(a[0]) || !isFinite(b[1])) { return []; }
    var z = Math.round(Math.log(360 * w / Math.abs(b[0] - a[0]) / 256) / Math.LN2);
    z = Math.min(18, Math.max(3, z));
    var out = [];
    for (var x = lon2tile(a[0], z); x <= lon2tile(b[0], z); x++) {
      for (var y = lat2tile(a[1], z); y <= lat2tile(b[1], z); y++) {
        out.push([tile2lon(x + 0.5, z), tile2lat(y + 0.5, z), x, y, z]);
      }
    }
    return out;
  }

  function probe(url) {  // does the tile server answer? (an <img>: the browser's own policy decides like for tiles)
    return new Promise(function (resolve) {
      var img = new Image(), done = false;
      var timer = setTimeout(function () { finish(false); }, 6000);
      function finish(ok) { if (!done) { done = true; clearTimeout(timer); resolve(ok); } }
      img.onload = function () { finish(img.naturalWidth > 0); };
      img.onerror = function () { finish(false); };
      img.src = url;
    });
  }

  function setMapMode(mode) {
    map.mode = mode;
    root.setAttribute("data-map-mode", mode);
    document.getElementById("sc-map-mode").textContent = mode === "tiles" ? L.tiles : L.offline;
  }

  function drawMap(d) {
    return loadOutline(d.map.outline).then(function () {
      charts.map.setOption(mapOption(d), { replaceMerge: ["series"] });
      if (!d.map.tiles.url || map.tried) { return; }
      map.tried = true;
      var tiles = tilesInView(charts.map);
      if (!tiles.length) { return; }
      var mid = tiles[Math.floor(tiles.length / 2)];
      return probe(tileUrl(d.map.tiles, mid[2], mid[3], mid[4])).then(function (ok) {
        if (!ok) { return; }
        map.tiles = tiles;
        setMapMode("tiles");
        charts.map.setOption(mapOption(data), { replaceMerge: ["series"] });
      });
    });
  }

  // ---- render, refresh --------------------------------------------------------------------------------------------

  var pagers = {};

  function apply(d, flash) {
    data = d;
    bind(d, flash);
    rankingRows(d);
    warningRows(d);
    pagers.rank.reset();
    pagers.warn.reset();
    charts.funnel.setOption(funnelOption(d));
    charts.months.setOption(monthsOption(d));
    return drawMap(d);
  }

  function status(state, text) {
    var node = document.getElementById("sc-status");
    node.setAttribute("data-state", state);
    node.textContent = text;
  }

  function refresh() {
    return fetch(API, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 401 || r.status === 403) { var e = new Error("signed out"); e.signedOut = true; throw e; }
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (d) {
        return apply(d, true).then(function () {
          refreshes += 1;
          root.setAttribute("data-refreshes", String(refreshes));
          status("ok", fill(L.refreshed, { time: d.generated_at.slice(11, 19) }));
          return true;
        });
      })
      .catch(function (e) {
        if (e.signedOut) { status("signed-out", L.signed_out); } else {
          status("error", fill(L.failed, { reason: e.message, time: data.generated_at.slice(11, 19) }));
        }
        return false;
      })
      .then(function (ok) { nextAt = Date.now() + REFRESH_MS; return ok; });
  }

  var TZ = root.getAttribute("data-tz") || undefined;  // the server's zone: the clock agrees with "updated at"
  var LANG = document.documentElement.lang === "en" ? "en" : "zh-CN";
  function clockText(now, opts) {
    try { return now.toLocaleString(LANG, Object.assign({ timeZone: TZ }, opts)); } catch (e) {
      return now.toLocaleString(LANG, opts);
    }
  }

  function tick() {
    var now = new Date();
    document.getElementById("sc-clock").textContent = clockText(now, {
      hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
    document.getElementById("sc-date").textContent = clockText(now, {
      year: "numeric", month: "long", day: "numeric", weekday: "long" });
    var left = Math.max(0, Math.round((nextAt - Date.now()) / 1000));
    document.getElementById("sc-next").textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
    if (Date.now() >= nextAt && !tick.busy) {
      tick.busy = true;
      refresh().then(function () { tick.busy = false; });
    }
  }

  function fit() {  // the board is laid out at 1920×1080; other displays get it scaled, centred
    var s = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    root.style.transform = "scale(" + s + ")";
    root.style.left = Math.max(0, (window.innerWidth - 1920 * s) / 2) + "px";
    root.style.top = Math.max(0, (window.innerHeight - 1080 * s) / 2) + "px";
    return s;
  }

  function fitTitle() {  // a long region name: the title shrinks rather than being cut off
    var span = document.querySelector(".sc-title span"), size = 48;
    span.style.fontSize = "";
    while (span.scrollWidth > span.clientWidth + 1 && size > 34) { size -= 2; span.style.fontSize = size + "px"; }
  }

  var scale = fit();
  fitTitle();
  var ratio = (window.devicePixelRatio || 1) * Math.max(1, scale);
  ["funnel", "months", "map"].forEach(function (k) {
    charts[k] = echarts.init(document.getElementById("sc-" + k), null, { devicePixelRatio: ratio });
  });
  pagers.rank = pager(document.getElementById("sc-ranking"), document.getElementById("sc-rank-pager"));
  pagers.warn = pager(document.getElementById("sc-warnings"), document.getElementById("sc-warn-pager"));
  setMapMode("outline");
  apply(data, false).then(function () { root.setAttribute("data-ready", "1"); },
                          function () { root.setAttribute("data-ready", "1"); });
  window.addEventListener("resize", function () { fit(); });
  tick();
  setInterval(tick, 1000);

  window.tuijinScreen = { refresh: refresh, data: function () { return data; }, charts: charts };
})();
