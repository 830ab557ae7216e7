// ragway console: Requests, Keys, Documents, Usage and the Playground on one static page, routed
// by the URL's hash. Plain browser modules, no build and no third-party code; tokens live in
// sessionStorage only and every server value is written as text (never as HTML).
import { $, credentials } from "./console/core.js";
import { filterByKey, initLog, isLive, loadLog } from "./console/log.js";
import { initKeys, loadKeys } from "./console/keys.js";
import { initDocuments, loadDocuments } from "./console/documents.js";
import { initUsage, loadUsage } from "./console/usage.js";
import { initPlayground } from "./console/playground.js";
import { loadNamespaceOptions } from "./console/namespaces.js";

const REFRESH_MS = 5000;
const PAGES = ["log", "keys", "documents", "usage", "playground"];
/** Pages that read the admin API, and what loads each (and refreshes it while shown). */
const ADMIN_PAGES = {
  log: { load: () => loadLog(), live: () => isLive() },
  keys: { load: () => loadKeys(), live: () => false },
  usage: { load: () => loadUsage(), live: () => true },
};

let page = "log";
let timer = null;

/** The page a hash names, or null for in-page anchors such as a citation's #source-1. */
function pageFromHash() {
  const name = location.hash.replace(/^#/, "").split("?")[0];
  if (name === "") return "log";
  return PAGES.includes(name) ? name : null;
}

function refreshConnection() {
  const admin = Boolean(credentials.admin());
  const key = Boolean(credentials.api());
  const pill = $("connection");
  pill.textContent = admin
    ? key
      ? "Admin · API key"
      : "Admin connected"
    : key
      ? "API key only"
      : "Connect";
  pill.classList.toggle("on", admin);
}

function show(name) {
  page = name;
  for (const p of PAGES) $(`page-${p}`).hidden = p !== name;
  for (const a of document.querySelectorAll("nav a[data-page]")) {
    if (a.dataset.page === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const admin = ADMIN_PAGES[name];
  const locked = Boolean(admin) && !credentials.admin();
  $("need-token").hidden = !locked;
  if (locked) $(`page-${name}`).hidden = true;
  if (timer !== null) clearInterval(timer);
  timer = null;
  if (name === "documents") void loadNamespaceOptions().then(() => loadDocuments());
  if (name === "playground") void loadNamespaceOptions();
  if (admin && !locked) {
    void admin.load();
    timer = setInterval(() => {
      if (document.visibilityState === "visible" && admin.live()) void admin.load();
    }, REFRESH_MS);
  }
}

function openConnect() {
  $("admin-token").value = credentials.admin();
  $("api-key").value = credentials.api();
  $("connect-dialog").showModal();
  $("admin-token").focus();
}

function init() {
  initLog();
  initKeys((id) => {
    filterByKey(id);
    location.hash = "#log";
  });
  initDocuments();
  initUsage();
  initPlayground();
  $("connection").addEventListener("click", openConnect);
  $("need-token-open").addEventListener("click", openConnect);
  $("connect-close").addEventListener("click", () => $("connect-dialog").close());
  $("token-form").addEventListener("submit", () => {
    credentials.set($("admin-token").value.trim(), $("api-key").value.trim());
    refreshConnection();
    show(page);
  });
  $("forget").addEventListener("click", () => {
    credentials.set("", "");
    $("admin-token").value = "";
    $("api-key").value = "";
    $("connect-dialog").close();
    refreshConnection();
    show(page);
  });
  addEventListener("hashchange", () => {
    const next = pageFromHash();
    if (next) show(next);
  });
  refreshConnection();
  show(pageFromHash() ?? "log");
}

init();
