// The API reference page: fetches /openapi.json and renders every operation and schema. Plain
// DOM code served from this origin (the Content-Security-Policy allows no inline script).
"use strict";
/**
 * Appends children to a node: arrays are spread (at any depth) and null, undefined and false are
 * skipped. Every append on this page goes through here, because the DOM's own append would print
 * an array as "[object HTMLElement]" and a skipped optional child as "null".
 */
const add = (node, ...children) => {
  for (const c of children.flat(Infinity)) {
    if (c !== null && c !== undefined && c !== false)
      node.append(c instanceof Node ? c : String(c));
  }
  return node;
};
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  return add(node, children);
};
const refName = (ref) => ref.split("/").pop();
/** Text with `code spans` rendered as <code>. */
const prose = (text) =>
  String(text || "")
    .split("`")
    .map((part, i) => (i % 2 ? el("code", {}, part) : part));
const anchor = (method, path) =>
  `op-${method}-${path.replace(/[^\w]+/g, "-").replace(/^-|-$/g, "")}`;

/** A short type label for a schema: string, integer, array of X, Name (link), a | b. */
function typeLabel(s) {
  if (!s || typeof s !== "object") return "any";
  if (s.$ref) return el("a", { href: `#schema-${refName(s.$ref)}` }, refName(s.$ref));
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (s.anyOf || s.oneOf) {
    const parts = (s.anyOf || s.oneOf).map(typeLabel);
    return el(
      "span",
      {},
      parts.flatMap((p, i) => (i ? [" | ", p] : [p])),
    );
  }
  if (Array.isArray(s.type)) return s.type.join(" | ");
  if (s.type === "array") return el("span", {}, "array of ", typeLabel(s.items));
  if (s.type === "object" && !s.properties && s.additionalProperties)
    return el("span", {}, "map of ", typeLabel(s.additionalProperties));
  return s.type || "any";
}

/** Constraints worth reading: limits, pattern, default, format. */
function constraints(s) {
  const out = [];
  if (!s || typeof s !== "object") return "";
  const pairs = [
    ["minLength", "min length"],
    ["maxLength", "max length"],
    ["minimum", "≥"],
    ["exclusiveMinimum", ">"],
    ["maximum", "≤"],
    ["exclusiveMaximum", "<"],
    ["minItems", "min items"],
    ["maxItems", "max items"],
    ["maxProperties", "max fields"],
    ["format", "format"],
    ["pattern", "pattern"],
  ];
  for (const [key, label] of pairs) {
    if (s[key] !== undefined) out.push(`${label} ${s[key]}`);
  }
  if (s.default !== undefined) out.push(`default ${JSON.stringify(s.default)}`);
  return out.join(", ");
}

/** A table of an object schema's fields, nested objects inline. */
function fieldsTable(schema) {
  const rows = [];
  const walk = (s, prefix) => {
    const required = new Set(s.required || []);
    for (const [name, prop] of Object.entries(s.properties || {})) {
      rows.push(
        el(
          "tr",
          {},
          el(
            "td",
            { class: "mono" },
            prefix + name,
            required.has(name) ? el("span", { class: "req" }, "required") : null,
          ),
          el("td", { class: "type mono" }, typeLabel(prop)),
          el("td", {}, prose(prop.description), el("div", { class: "hint" }, constraints(prop))),
        ),
      );
      if (prop.type === "object" && prop.properties) walk(prop, `${prefix}${name}.`);
      if (prop.type === "array" && prop.items && prop.items.properties)
        walk(prop.items, `${prefix}${name}[].`);
    }
  };
  walk(schema, "");
  if (rows.length === 0) {
    return el(
      "p",
      { class: "hint" },
      typeLabel(schema),
      " ",
      prose(schema.description),
      " ",
      constraints(schema),
    );
  }
  return el(
    "table",
    {},
    el("tr", {}, el("th", {}, "field"), el("th", {}, "type"), el("th", {}, "meaning")),
    rows,
  );
}

function operation(doc, path, method, op) {
  const security = op.security || doc.security || [];
  const auth =
    security.length === 0
      ? "no auth"
      : Object.keys(security[0] || {}).join(", ") === "AdminToken"
        ? "admin token"
        : "API key";
  const body = el("div", { class: "body" });
  if (op.description) add(body, el("p", {}, prose(op.description)));
  const params = op.parameters || [];
  if (params.length) {
    add(
      body,
      el("h3", {}, "Parameters"),
      el(
        "table",
        {},
        el("tr", {}, el("th", {}, "name"), el("th", {}, "in"), el("th", {}, "meaning")),
        params.map((p) =>
          el(
            "tr",
            {},
            el("td", { class: "mono" }, p.name),
            el("td", {}, p.in),
            el("td", {}, prose(p.description)),
          ),
        ),
      ),
    );
  }
  const reqBody = op.requestBody && op.requestBody.content;
  if (reqBody) {
    const media = reqBody["application/json"];
    add(
      body,
      el("h3", {}, "Request body"),
      op.requestBody.description ? el("p", { class: "hint" }, op.requestBody.description) : null,
    );
    if (media && media.schema) {
      const s = media.schema.$ref
        ? doc.components.schemas[refName(media.schema.$ref)]
        : media.schema;
      add(
        body,
        media.schema.$ref
          ? el("p", { class: "hint" }, "application/json: ", typeLabel(media.schema))
          : null,
        fieldsTable(s),
      );
    }
  }
  add(
    body,
    el("h3", {}, "Responses"),
    el(
      "table",
      {},
      el(
        "tr",
        {},
        el("th", {}, "status"),
        el("th", {}, "body"),
        el("th", {}, "when"),
        el("th", {}, "headers"),
      ),
      Object.entries(op.responses || {}).map(([status, r]) =>
        el(
          "tr",
          {},
          el("td", { class: `status s${status[0]}` }, status),
          el(
            "td",
            { class: "mono" },
            Object.entries(r.content || {}).map(([type, m]) =>
              el(
                "div",
                {},
                m.schema ? typeLabel(m.schema) : "",
                " ",
                el("span", { class: "hint" }, type),
              ),
            ),
          ),
          el("td", {}, prose(r.description)),
          el("td", { class: "mono hint" }, Object.keys(r.headers || {}).join(", ")),
        ),
      ),
    ),
  );
  return el(
    "section",
    { class: "op", id: anchor(method, path) },
    el(
      "header",
      {},
      el("span", { class: `method m-${method}` }, method.toUpperCase()),
      el("span", { class: "path mono" }, path),
      el("span", {}, op.summary || ""),
      el("span", { class: "auth" }, auth),
    ),
    body,
  );
}

function render(doc) {
  document.getElementById("title").textContent = `${doc.info.title} API reference`;
  const lead = document.getElementById("lead");
  lead.textContent = "";
  add(
    lead,
    `Version ${doc.info.version}, OpenAPI ${doc.openapi}. `,
    prose(doc.info.description),
    " ",
    el("a", { href: "/openapi.json" }, "Raw description (openapi.json)"),
  );
  const nav = document.getElementById("nav");
  const ops = document.getElementById("ops");
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || "Other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method, op });
    }
  }
  const tagOrder = (doc.tags || []).map((t) => t.name);
  const tags = [...byTag.keys()].sort(
    (a, b) => (tagOrder.indexOf(a) + 1 || 99) - (tagOrder.indexOf(b) + 1 || 99),
  );
  for (const tag of tags) {
    add(nav, el("h2", {}, tag));
    add(ops, el("h2", { id: `tag-${tag}` }, tag));
    for (const { path, method, op } of byTag.get(tag)) {
      add(
        nav,
        el(
          "a",
          { href: `#${anchor(method, path)}` },
          el("span", { class: "mono" }, method.toUpperCase()),
          " ",
          path,
        ),
      );
      add(ops, operation(doc, path, method, op));
    }
  }
  const schemas = document.getElementById("schemas");
  add(schemas, el("h2", {}, "Schemas"));
  add(nav, el("h2", {}, "Schemas"));
  for (const [name, s] of Object.entries(doc.components.schemas || {})) {
    add(nav, el("a", { href: `#schema-${name}` }, name));
    add(
      schemas,
      el(
        "section",
        { class: "op", id: `schema-${name}` },
        el("header", {}, el("span", { class: "path mono" }, name)),
        el(
          "div",
          { class: "body" },
          s.description ? el("p", {}, prose(s.description)) : null,
          fieldsTable(s),
        ),
      ),
    );
  }
  if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
}

fetch("/openapi.json")
  .then((res) => {
    if (!res.ok) throw new Error(`/openapi.json answered ${res.status}`);
    return res.json();
  })
  .then(render)
  .catch((err) => {
    const box = document.getElementById("error");
    box.hidden = false;
    box.textContent = `Could not load the API description: ${err.message}`;
  });
