/**
 * The dashboard's live charts (part of dashboard.js): vega-lite specs with a legend for every series, embedded
 * once; each update appends its new rows with a vega changeset, and a reset replaces them. Overlays (fault
 * windows shaded, gate thresholds dashed, rollout decisions dotted) are keyed in the page's HTML legend. Hidden
 * faults are shaded apart (outlined, another colour) from the facilitator's hiddenSpans, which no other role's
 * updates carry: on other pages that layer has no rows.
 */
import { CLOCK_AXIS, CLOCK_JS } from '../report/html/clock-axis.js';

export const CHARTS_JS = String.raw`
  // Simulated time on every chart as the clock reads it (12m00s), through the one formatter.
  ${CLOCK_JS}
  var TIME_AXIS = ${JSON.stringify(CLOCK_AXIS)};
  function timeX(field, scale) {
    var x = { field: field, type: 'quantitative', title: 'simulated time', axis: TIME_AXIS };
    if (scale) x.scale = scale;
    return x;
  }
  function timeTip(field, title) { return { field: field, type: 'quantitative', title: title, formatType: 'clock' }; }
  var views = {};
  window.drillViews = views;
  var PALETTE = ['#1f3b73', '#c2571a', '#5f8f3e', '#7a4f9e', '#9e9e9e', '#3c3c3c', '#b8860b', '#2f8f8f'];
  var CONFIG = { range: { category: PALETTE }, axis: { labelFontSize: 11, titleFontSize: 11 }, view: { stroke: '#ccc' },
    legend: { orient: 'bottom', direction: 'horizontal', labelLimit: 220, titleFontSize: 11 }, customFormatTypes: true };

  // A step line per series, with its legend; optional layers: fault windows, rollout decisions, gate thresholds.
  function lineSpec(y, yTitle, color, colorTitle, extra) {
    // Before the first windows close the axes still read sensibly: at least ten minutes, and a floor above zero.
    var yScale = extra && extra.share ? { domain: [0, 1] } : { domain: { unionWith: [0, extra && extra.floor || 0.01] } };
    var line = {
      data: { name: 'rows' },
      mark: { type: 'line', interpolate: 'step-after', clip: true },
      encoding: {
        x: timeX('t', { domain: { unionWith: [0, 600] } }),
        y: { field: y, type: 'quantitative', title: yTitle, scale: yScale },
        color: { field: color, type: 'nominal', title: colorTitle }
      }
    };
    // Shares and rates read as percentages, as the tables beside the charts and the debrief's charts write them.
    if (extra && extra.percent) line.encoding.y.axis = { format: '~%' };
    // Series that can miss a window: each window is drawn from its start to its end (two points, in order k), and
    // a window without figures (null) breaks the line, so nothing is drawn where there was no data.
    if (extra && extra.gaps) {
      line.mark.interpolate = 'linear';
      line.encoding.order = { field: 'k', type: 'quantitative' };
    }
    var layers = [];
    if (extra && extra.faults) {
      layers.push({ data: { name: 'faults' }, mark: { type: 'rect', color: '#c2571a', opacity: 0.12 },
        encoding: { x: timeX('from'), x2: { field: 'to' }, tooltip: [{ field: 'name', type: 'nominal', title: 'fault' }, timeTip('from', 'from'), timeTip('to', 'to')] } });
      layers.push({ data: { name: 'hiddenFaults' }, mark: { type: 'rect', color: '#7a4f9e', opacity: 0.14, stroke: '#7a4f9e', strokeOpacity: 0.8, strokeDash: [4, 2] },
        encoding: { x: timeX('from'), x2: { field: 'to' }, tooltip: [{ field: 'name', type: 'nominal', title: 'hidden fault (only facilitators see it)' }, timeTip('from', 'from'), timeTip('to', 'to')] } });
    }
    if (extra && extra.decisions) {
      layers.push({ data: { name: 'decisions' }, mark: { type: 'rule', color: '#7a4f9e', strokeDash: [2, 2] },
        encoding: { x: timeX('t'), tooltip: [timeTip('t', 'at'), { field: 'label', type: 'nominal' }] } });
    }
    layers.push(line);
    if (extra && extra.gates) {
      layers.push({ data: { name: 'gates' }, mark: { type: 'rule', color: '#8b1a1a', strokeDash: [4, 3] },
        encoding: { y: { field: 'limit', type: 'quantitative' }, tooltip: [{ field: 'source', type: 'nominal' }] } });
    }
    return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: 180, config: CONFIG, layer: layers };
  }

  function embed(id, spec) {
    return vegaEmbed('#' + id, spec, { actions: false, renderer: 'svg', logLevel: vega.Error })
      .then(function (r) { views[id.replace('chart-', '')] = r.view; });
  }

  var chartsReady = Promise.all([
    embed('chart-exposure', lineSpec('share', 'share of journeys with the flag on', 'flag', 'flag', { decisions: true, share: true, percent: true })),
    embed('chart-journeys', lineSpec('errorRate', 'error rate', 'journey', 'journey', { gates: true, faults: true, percent: true })),
    embed('chart-errors', lineSpec('errorRate', 'error rate', 'series', 'series (flag on / off)', { gates: true, faults: true, gaps: true, percent: true })),
    embed('chart-p99', lineSpec('p99', 'p99 (ms)', 'series', 'series (flag on / off)', { gates: true, faults: true, floor: 10, gaps: true }))
  ]).then(function () { document.body.setAttribute('data-charts', 'ready'); })
    .catch(function (e) { document.body.setAttribute('data-render-error', String(e)); console.error(e); });

  function insert(view, name, rows) {
    if (view && rows.length) view.change(name, vega.changeset().insert(rows)).run();
  }
  function replace(view, name, rows) {
    if (view) view.change(name, vega.changeset().remove(function () { return true; }).insert(rows)).run();
  }

  var chartRows = { services: [] };
  function selectedService() { return $('service').value; }
  // A window's row as the two ends of its step; a row without figures as one point that breaks the line.
  function steps(rows) {
    var w = state.meta.windowSeconds, out = [];
    rows.forEach(function (r) {
      var i = Math.round(r.t / w);
      out.push(Object.assign({}, r, { k: 2 * i }));
      if (r.errorRate != null) out.push(Object.assign({}, r, { t: r.t + w, k: 2 * i + 1 }));
    });
    return out;
  }
  function serviceGates(svc, metric) {
    var gates = [];
    state.plans.forEach(function (p) { p.gates.forEach(function (g) { if (g.service === svc && g.metric === metric && g.limit != null) gates.push(g); }); });
    return gates;
  }
  function redrawService() {
    var svc = selectedService();
    var rows = steps(chartRows.services.filter(function (r) { return r.service === svc; }));
    replace(views.errors, 'rows', rows);
    replace(views.errors, 'gates', serviceGates(svc, 'req_failed'));
    replace(views.p99, 'rows', rows);
    replace(views.p99, 'gates', serviceGates(svc, 'req_duration'));
  }

  var faultKey = '';
  // hidden: the facilitator's spans of the hidden faults injected, on now (to the clock) or over (to their end), as the
  // visible faults' spans stay once over; none on other pages.
  function drawFaults(faults, hidden, now) {
    var rows = faults.map(function (f) { return { name: f.name + ' (' + f.size + ')', from: f.fromSeconds, to: f.active ? now : f.untilSeconds }; });
    var hiddenRows = hidden.map(function (f) {
      return { name: f.name + (f.size !== null ? ' (' + f.size + ')' : ''), from: f.fromSeconds, to: f.toSeconds === null ? Math.max(f.fromSeconds, now) : f.toSeconds };
    });
    var key = JSON.stringify([rows, hiddenRows]);
    if (key === faultKey) return;
    faultKey = key;
    ['journeys', 'errors', 'p99'].forEach(function (k) { replace(views[k], 'faults', rows); replace(views[k], 'hiddenFaults', hiddenRows); });
  }

  var journeyGatesDrawn = false;
  function drawJourneyGates() {
    if (journeyGatesDrawn || !views.journeys) return;
    journeyGatesDrawn = true;
    var gates = [];
    state.plans.forEach(function (p) { p.gates.forEach(function (g) { if (g.journey && !g.service && g.metric === 'req_failed' && g.limit != null) gates.push(g); }); });
    replace(views.journeys, 'gates', gates);
  }

  // Windows before the latest u.series.charted leave the charts (a drill with windows of a microsecond closes
  // hundreds of thousands a second); an ordinary drill never has that many.
  var chartFrom = -Infinity;
  function trimCharted(u) {
    var w = state.meta.windowSeconds, s = u.series;
    if (!s || s.windows <= s.charted || state.lastT < 0) return false;
    var from = state.lastT - (s.charted - 1) * w;
    if (from <= chartFrom) return false;
    chartFrom = from;
    var keep = function (r) { return r.t >= from - w / 2; };
    chartRows.services = chartRows.services.filter(keep);
    return true;
  }
  function dropOld(view, name) {
    if (view) view.change(name, vega.changeset().remove(function (r) { return r.t < chartFrom - state.meta.windowSeconds / 2; })).run();
  }

  // New rows (or, on a reset, all of them) into the charts, once they are ready.
  function chartUpdate(u, rows, decisions) {
    if (u.reset) { chartRows.services = []; chartFrom = -Infinity; }
    Array.prototype.push.apply(chartRows.services, rows.services);
    var trimmed = trimCharted(u);
    chartsReady.then(function () {
      var svc = selectedService();
      var mine = steps(rows.services.filter(function (r) { return r.service === svc; }));
      if (u.reset) {
        replace(views.exposure, 'rows', rows.exposure);
        replace(views.journeys, 'rows', rows.journeys);
        replace(views.exposure, 'decisions', decisions);
        redrawService();
      } else {
        insert(views.exposure, 'rows', rows.exposure);
        insert(views.journeys, 'rows', rows.journeys);
        insert(views.exposure, 'decisions', decisions);
        insert(views.errors, 'rows', mine);
        insert(views.p99, 'rows', mine);
      }
      if (trimmed) ['exposure', 'journeys', 'errors', 'p99'].forEach(function (k) { dropOld(views[k], 'rows'); });
      drawJourneyGates();
      drawFaults(u.faults, u.hiddenSpans || [], u.meta.nowSeconds);
    });
  }
`;
