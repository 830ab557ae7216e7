// A small SVG line chart for the Usage page: one line per series over a fixed time window, the y
// range from 0 to the largest value, and a caption stating the latest values in words.
import { el, fmt, isNum } from "./core.js";

const SVG = "http://www.w3.org/2000/svg";

/**
 * Draws into a <figure>. `from`/`to` fix the x range (the picked time range), so a quiet gateway
 * shows a short line at the right edge instead of a stretched one.
 */
export function drawChart(figure, { title, series, format, max, from, to }) {
  const W = 360;
  const H = 150;
  const pad = { l: 50, r: 10, t: 10, b: 22 };
  const latest = series
    .map((s) => {
      const last = [...s.points].reverse().find((p) => isNum(p.v));
      return `${s.name} ${last ? format(last.v) : "–"}`;
    })
    .join(" · ");
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `${title}: ${latest}`);
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  const values = series.flatMap((s) => s.points.map((p) => p.v)).filter(isNum);
  const top = max ?? Math.max(...values, 0) * 1.15;
  const yMax = top > 0 ? top : 1;
  const x = (t) => pad.l + ((t - from) / Math.max(1, to - from)) * (W - pad.l - pad.r);
  const y = (v) => H - pad.b - (v / yMax) * (H - pad.t - pad.b);
  for (const f of [0, 0.5, 1]) {
    add("line", {
      x1: pad.l,
      y1: y(yMax * f),
      x2: W - pad.r,
      y2: y(yMax * f),
      class: f === 0 ? "axis" : "grid",
    });
  }
  add("text", { x: pad.l - 6, y: y(0) + 4, class: "tick", "text-anchor": "end" }, format(0));
  add("text", { x: pad.l - 6, y: y(yMax) + 4, class: "tick", "text-anchor": "end" }, format(yMax));
  add("text", { x: pad.l, y: H - 5, class: "tick" }, fmt.clock(from));
  add("text", { x: W - pad.r, y: H - 5, class: "tick", "text-anchor": "end" }, fmt.clock(to));
  if (values.length === 0) {
    add(
      "text",
      { x: (W + pad.l) / 2, y: H / 2, class: "empty", "text-anchor": "middle" },
      "no traffic in this range",
    );
  }
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => isNum(p.v) && p.t >= from);
    if (pts.length > 1) {
      const line = pts.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(" ");
      if (i === 0) {
        const first = pts[0];
        const last = pts[pts.length - 1];
        add("polygon", {
          points: `${x(first.t).toFixed(1)},${y(0)} ${line} ${x(last.t).toFixed(1)},${y(0)}`,
          class: "area",
        });
      }
      add("polyline", { points: line, class: `line s${i}` });
    } else {
      for (const p of pts)
        add("circle", { cx: x(p.t).toFixed(1), cy: y(p.v).toFixed(1), r: 2.5, class: `dot s${i}` });
    }
  });
  const caption = el(
    "figcaption",
    {},
    el("span", { class: "chart-title" }, title),
    el(
      "ul",
      { class: "legend" },
      ...series.map((s, i) => {
        const last = [...s.points].reverse().find((p) => isNum(p.v));
        return el(
          "li",
          {},
          el("span", { class: `swatch s${i}`, "aria-hidden": "true" }),
          `${s.name} `,
          el("strong", {}, last ? format(last.v) : "–"),
        );
      }),
    ),
  );
  caption.querySelector(".legend")?.setAttribute("aria-label", latest);
  figure.replaceChildren(caption, svg);
  figure.dataset.latest = latest;
}
