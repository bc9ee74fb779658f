// The console: plain JavaScript over the service's HTTP API (see
// contract/openapi.json). Every text from the API goes through textContent.
"use strict";

const $ = (sel) => document.querySelector(sel);
const PAGE = 100; // the API's largest page (contract.MaxFaceListLimit)
const FACES_PER_PERSON = 12; // thumbnails shown on a person's card

// --- Connection --------------------------------------------------------

const conn = { endpoint: "", apiKey: "" };

async function loadConnection() {
  try {
    const r = await fetch("console/config.json", { cache: "no-store" });
    if (r.ok) Object.assign(conn, await r.json());
  } catch (e) { /* served without a config: same origin */ }
  const saved = JSON.parse(localStorage.getItem("facerec.connection") || "null");
  if (saved && !conn.endpoint && !conn.apiKey) Object.assign(conn, saved);
  $("#conn-endpoint").value = conn.endpoint || "";
  $("#conn-key").value = conn.apiKey || "";
}

function apiURL(path) {
  const base = conn.endpoint ? conn.endpoint.replace(/\/+$/, "") : location.origin;
  return base + path;
}

function headers(extra) {
  const h = Object.assign({}, extra);
  if (conn.apiKey) h["x-api-key"] = conn.apiKey;
  return h;
}

class APIError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

async function failure(r) {
  let code = "HTTP_" + r.status, message = r.statusText || "request failed";
  try {
    const b = await r.json();
    if (b.error) { code = b.error.code; message = b.error.message; } else if (b.message) message = b.message;
  } catch (e) { /* not JSON */ }
  if (r.status === 403 && code.includes("API_KEY")) message += " — enter the API key under Settings";
  return new APIError(r.status, code, message);
}

async function api(method, path, opts = {}) {
  const init = { method, headers: headers(Object.assign({ Accept: opts.accept || "application/json" }, opts.contentType ? { "Content-Type": opts.contentType } : {})) };
  if (opts.body !== undefined) init.body = opts.body;
  const r = await fetch(apiURL(path), init);
  if (!r.ok) throw await failure(r);
  return opts.accept && opts.accept !== "application/json" ? r.blob() : r.json();
}

const enc = encodeURIComponent;

// --- Messages and confirmation -------------------------------------------

// pendingNotice is shown by the next route(), which clears the notice of
// the view left.
let pendingNotice = null;

function notify(text, isError) {
  const n = $("#notice");
  n.textContent = text;
  n.className = isError ? "error" : "";
}

function confirmAction(title, text, action) {
  const d = $("#confirm");
  $("#confirm-title").textContent = title;
  $("#confirm-text").textContent = text;
  $("#confirm-ok").textContent = action;
  return new Promise((resolve) => {
    d.addEventListener("close", () => resolve(d.returnValue === "ok"), { once: true });
    d.returnValue = "";
    d.showModal();
    $("#confirm-cancel").focus();
  });
}

// --- Thumbnails: fetched with the API key when they scroll into view ------

const thumbURLs = new Map();
const thumbQueue = [];
let thumbsInFlight = 0;

function pumpThumbs() {
  while (thumbsInFlight < 6 && thumbQueue.length) {
    const img = thumbQueue.shift();
    const id = img.dataset.faceId;
    if (thumbURLs.has(id)) { img.src = thumbURLs.get(id); continue; }
    thumbsInFlight++;
    api("GET", "/thumbnails/" + enc(id), { accept: "image/jpeg" })
      .then((blob) => { const u = URL.createObjectURL(blob); thumbURLs.set(id, u); img.src = u; })
      .catch(() => { img.alt += " (no thumbnail)"; img.classList.add("missing"); })
      .finally(() => { thumbsInFlight--; pumpThumbs(); });
  }
}

const thumbObserver = new IntersectionObserver((entries) => {
  for (const e of entries) {
    if (!e.isIntersecting) continue;
    thumbObserver.unobserve(e.target);
    thumbQueue.push(e.target);
  }
  pumpThumbs();
}, { rootMargin: "200px" });

function thumb(face) {
  const img = document.createElement("img");
  img.className = "thumb";
  img.loading = "lazy";
  img.decoding = "async";
  img.width = 96; img.height = 96;
  img.dataset.faceId = face.faceId;
  img.alt = (face.person ? "Face of " + face.person : "Unlabelled face") + " in " + face.key;
  thumbObserver.observe(img);
  return img;
}

// faceItem is one face in a gallery: its thumbnail, its image and a delete
// button.
function faceItem(face, onDeleted) {
  const li = document.createElement("li");
  li.dataset.faceId = face.faceId;
  li.append(thumb(face));
  const key = document.createElement("span");
  key.textContent = face.key.replace(/^.*\//, "");
  const del = document.createElement("button");
  del.type = "button";
  del.className = "small secondary";
  del.textContent = "Delete face";
  del.setAttribute("aria-label", "Delete this face of " + (face.person || "no one") + " in " + face.key);
  del.addEventListener("click", async () => {
    const ok = await confirmAction("Delete this face?",
      "The face " + face.faceId + " is removed from the collection and the index" + (face.person ? " (it is no longer one of " + face.person + "'s faces)" : "") +
      ". The image " + face.key + " and its other faces stay.", "Delete face");
    if (!ok) return;
    try {
      await api("DELETE", "/faces/" + enc(face.faceId));
      li.remove();
      notify("Deleted the face " + face.faceId + ".");
      if (onDeleted) onDeleted();
    } catch (e) { notify("Could not delete the face: " + e.message, true); }
  });
  li.append(key, del, downloadImageButton(face.key));
  // An unlabelled face has no person page, where images are deleted.
  if (!face.person) li.append(deleteImageButton(face.key, () => { li.remove(); if (onDeleted) onDeleted(); }));
  return li;
}

// --- Faces by person -------------------------------------------------------

let personsToken = null, unlabelledToken = null;

async function showFaces() {
  $("#persons").replaceChildren();
  $("#unlabelled").replaceChildren();
  personsToken = unlabelledToken = null;
  await Promise.all([morePersons(), moreUnlabelled()]);
}

async function morePersons() {
  const q = "?limit=" + PAGE + (personsToken ? "&nextToken=" + enc(personsToken) : "");
  try {
    const page = await api("GET", "/persons" + q);
    for (const p of page.persons) $("#persons").append(personCard(p));
    personsToken = page.nextToken || null;
    $("#persons-more").hidden = !personsToken;
    if (!$("#persons").children.length && !personsToken) $("#persons").textContent = "No person yet: upload photos with a person's name.";
  } catch (e) { notify("Could not list the persons: " + e.message, true); }
}

function personCard(p) {
  const card = document.createElement("article");
  card.className = "person";
  card.dataset.person = p.person;
  const h = document.createElement("h3");
  const a = document.createElement("a");
  a.href = "#/person/" + enc(p.person);
  a.textContent = p.person;
  h.append(a);
  const n = document.createElement("p");
  n.className = "hint";
  n.textContent = count(p.faceCount, "face");
  const ul = document.createElement("ul");
  ul.className = "gallery";
  ul.setAttribute("aria-label", "Faces of " + p.person);
  card.append(h, n, ul);
  // The card's faces are read when it comes into view.
  const seen = new IntersectionObserver(async (entries) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    seen.disconnect();
    try {
      const page = await api("GET", "/faces?person=" + enc(p.person) + "&limit=" + FACES_PER_PERSON);
      for (const f of page.faces) ul.append(faceItem(f));
    } catch (e) { n.textContent += " (faces not readable: " + e.message + ")"; }
  }, { rootMargin: "200px" });
  seen.observe(card);
  return card;
}

// moreUnlabelled reads pages of all faces, keeping those without a person,
// until it has shown some, read UNLABELLED_PAGES pages or the faces end:
// the API lists faces by person or all of them, so a large gallery of
// labelled faces is read a few pages per click, never all at once.
const UNLABELLED_PAGES = 5;
async function moreUnlabelled() {
  let shown = 0, pages = 0;
  try {
    do {
      pages++;
      const q = "?limit=" + PAGE + (unlabelledToken ? "&nextToken=" + enc(unlabelledToken) : "");
      const page = await api("GET", "/faces" + q);
      for (const f of page.faces) {
        if (f.person) continue;
        $("#unlabelled").append(faceItem(f));
        shown++;
      }
      unlabelledToken = page.nextToken || null;
    } while (unlabelledToken && shown < 24 && pages < UNLABELLED_PAGES);
    $("#unlabelled-more").hidden = !unlabelledToken;
    if (!$("#unlabelled").children.length && !unlabelledToken) {
      const li = document.createElement("li");
      li.textContent = "None.";
      $("#unlabelled").append(li);
    }
  } catch (e) { notify("Could not list the faces: " + e.message, true); }
}

// --- A person's page ---------------------------------------------------------

async function showPerson(name) {
  $("#person-title").textContent = name;
  $("#person-summary").textContent = "Loading…";
  $("#person-faces").replaceChildren();
  $("#person-images").replaceChildren();
  let p;
  try {
    p = await api("GET", "/persons/" + enc(name));
  } catch (e) {
    $("#person-summary").textContent = e.status === 404 ? "No person is named " + name + "." : "Could not read the person: " + e.message;
    $("#person-erase").hidden = true;
    return;
  }
  $("#person-erase").hidden = false;
  $("#person-summary").textContent = count(p.faces.length, "face") + " in " + count(p.images.length, "image") + ".";
  for (const f of p.faces) $("#person-faces").append(faceItem(f, () => showPerson(name)));
  for (const key of p.images) $("#person-images").append(imageItem(key, () => showPerson(name)));
  $("#person-erase").onclick = async () => {
    const ok = await confirmAction("Erase " + p.person + "?",
      "This erases every image uploaded with the name " + p.person + " (" + (p.images.join(", ") || "none listed") +
      "), whole: every version of it and every face in it, whoever they are (" + count(p.faces.length, "face") + " of " + p.person +
      " among them), including images that were rejected or had no face; then the person and its Rekognition user.", "Erase person");
    if (!ok) return;
    try {
      const r = await api("DELETE", "/persons/" + enc(p.person));
      pendingNotice = "Erased " + r.person + ": " + count(r.deletedFaces, "face") + " and " + count(r.deletedImages.length, "image") + " removed.";
      location.hash = "#/faces";
    } catch (e) { notify("Could not erase the person: " + e.message, true); }
  };
}

// imageItem is an image key with a delete button; keys are "<prefix><filename>".
function imageItem(key, onDeleted) {
  const li = document.createElement("li");
  li.dataset.key = key;
  const name = document.createElement("span");
  name.textContent = key + " ";
  li.append(name, downloadImageButton(key), deleteImageButton(key, () => { li.remove(); if (onDeleted) onDeleted(); }));
  return li;
}

// filenameOf is the filename of the image key, as the /index/{filename}
// and /images/{filename} routes take it: the key without its prefix.
function filenameOf(key) { return key.slice(key.indexOf("/") + 1); }

// downloadImageButton is a button that downloads the image key: it asks
// the API for a short-lived link to its bytes (GET /images/{filename}:
// deployed an S3 presigned URL, offline the server's own) and follows it.
// Both answer the bytes as an attachment named by the filename, so the
// browser saves them; in a new browsing context, so that an answer that
// is not the image (an expired link's error) never replaces the console.
function downloadImageButton(key) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "small secondary";
  b.textContent = "Download image";
  b.setAttribute("aria-label", "Download the image " + key);
  b.addEventListener("click", async () => {
    try {
      const d = await api("GET", "/images/" + enc(filenameOf(key)));
      const a = document.createElement("a");
      a.href = d.url;
      a.download = key.replace(/^.*\//, ""); // a same-origin link saves under this name
      a.target = "_blank";
      a.rel = "noopener";
      a.click();
    } catch (e) { notify("Could not download the image: " + e.message, true); }
  });
  return b;
}

// deleteImageButton is a button that erases the image key after a
// confirmation saying what goes, then calls onDeleted.
function deleteImageButton(key, onDeleted) {
  const del = document.createElement("button");
  del.type = "button";
  del.className = "small secondary";
  del.textContent = "Delete image";
  del.setAttribute("aria-label", "Delete the image " + key);
  del.addEventListener("click", async () => {
    const filename = filenameOf(key);
    let faces = "its faces";
    try { const st = await api("GET", "/index/" + enc(filename)); faces = "its " + count(st.faces.length, "face"); } catch (e) { /* count unknown */ }
    const ok = await confirmAction("Erase this image?", "The image " + key + " is erased: every version of it is deleted from the bucket, and " + faces + " (whoever they are) from the collection and the index.", "Erase image");
    if (!ok) return;
    try {
      await api("DELETE", "/index/" + enc(filename));
      notify("Erased " + key + ".");
      onDeleted();
    } catch (e) { notify("Could not delete the image: " + e.message, true); }
  });
  return del;
}

// --- Upload --------------------------------------------------------------------

let chosen = [];

function choose(files) {
  chosen = Array.from(files).filter((f) => f.type === "image/jpeg" || f.type === "image/png");
  if (chosen.length < files.length) notify((files.length - chosen.length) + " files skipped: only JPEG and PNG are indexed.", true);
}

function put(url, file, onProgress) {
  // XMLHttpRequest, not fetch: it reports upload progress.
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open("PUT", url);
    x.setRequestHeader("Content-Type", file.type);
    x.setRequestHeader("Accept", "application/json");
    if (conn.apiKey) x.setRequestHeader("x-api-key", conn.apiKey);
    x.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    x.onload = () => {
      let body = {};
      try { body = JSON.parse(x.responseText); } catch (e) { /* not JSON */ }
      if (x.status >= 200 && x.status < 300) resolve(body);
      else reject(new APIError(x.status, body.error ? body.error.code : "", body.error ? body.error.message : (body.message || "HTTP " + x.status)));
    };
    x.onerror = () => reject(new APIError(0, "NETWORK", "the request failed (network or CORS)"));
    x.send(file);
  });
}

async function upload(file, person) {
  const row = document.createElement("tr");
  row.dataset.filename = file.name;
  const cells = [file.name, person || "—", "", "uploading"].map((t) => { const td = document.createElement("td"); td.textContent = t; return td; });
  const bar = document.createElement("progress");
  bar.max = 1; bar.value = 0;
  bar.setAttribute("aria-label", "Upload of " + file.name);
  cells[2].append(bar);
  row.append(...cells);
  $("#uploads tbody").append(row);
  $("#uploads").hidden = false;
  const status = cells[3];
  try {
    await put(apiURL("/index/" + enc(file.name) + (person ? "?person=" + enc(person) : "")), file, (p) => { bar.value = p; });
    bar.value = 1;
    for (let wait = 500; ; wait = Math.min(wait * 1.5, 4000)) {
      status.textContent = "pending";
      await new Promise((r) => setTimeout(r, wait));
      const st = await api("GET", "/index/" + enc(file.name));
      if (st.status === "indexed") {
        status.textContent = "indexed: " + count(st.faces.length, "face");
        break;
      }
      if (st.status === "rejected") {
        status.textContent = "rejected: " + st.reason;
        status.className = "rejected";
        break;
      }
    }
  } catch (e) {
    status.textContent = "failed: " + e.message;
    status.className = "rejected";
  }
  row.dataset.status = status.textContent.split(":")[0];
}

// --- Search --------------------------------------------------------------------

let searched = null; // the last photo searched, searched again when the mode changes

async function search(file) {
  searched = file;
  const byPerson = document.querySelector("input[name=mode]:checked").value === "person";
  $("#search-faces").replaceChildren();
  $("#search-photo").querySelectorAll(".box").forEach((b) => b.remove());
  const img = $("#search-img");
  img.src = URL.createObjectURL(file);
  $("#search-result").hidden = false;
  $("#search-result").dataset.state = "searching";
  notify("Searching " + file.name + "…");
  try {
    const res = await api("POST", "/search?" + (byPerson ? "by=person" : "faces=all"), { body: file, contentType: file.type });
    notify(res.faces.length ? "Found " + count(res.faces.length, "face") + "." : "No face in this photo.");
    res.faces.forEach((f, i) => drawFace(f, i + 1, byPerson));
  } catch (e) {
    notify("Search failed: " + e.message, true);
  }
  $("#search-result").dataset.state = "done";
}

function drawFace(f, n, byPerson) {
  const best = byPerson ? (f.persons || [])[0] : f.matches[0];
  const box = document.createElement("div");
  box.className = "box" + (best ? "" : " unmatched");
  const b = f.boundingBox;
  box.style.left = (b.left * 100) + "%";
  box.style.top = (b.top * 100) + "%";
  box.style.width = (b.width * 100) + "%";
  box.style.height = (b.height * 100) + "%";
  box.dataset.person = best ? (best.person || "") : "";
  const label = document.createElement("span");
  label.textContent = n + ". " + (best ? (best.person || "unlabelled") + " " + best.similarity.toFixed(1) + "%" : "no match");
  box.append(label);
  $("#search-photo").append(box);

  const li = document.createElement("li");
  const title = document.createElement("p");
  title.textContent = "Face " + n + " (confidence " + f.confidence.toFixed(1) + "%): " +
    (f.reason ? f.reason : (best ? "" : "nobody similar enough."));
  li.append(title);
  if (byPerson) {
    for (const p of f.persons || []) {
      const row = document.createElement("div");
      row.className = "match";
      const a = document.createElement("a");
      a.href = "#/person/" + enc(p.person);
      a.textContent = p.person;
      row.append(a, document.createTextNode(" similarity " + p.similarity.toFixed(1) + "%, " + count(p.faceIds.length, "face")));
      li.append(row);
    }
  } else {
    for (const m of f.matches) {
      const row = document.createElement("div");
      row.className = "match";
      const who = m.person ? document.createElement("a") : document.createElement("span");
      if (m.person) who.href = "#/person/" + enc(m.person);
      who.textContent = m.person || "unlabelled";
      row.append(thumb(m), who, document.createTextNode(" similarity " + m.similarity.toFixed(1) + "% in " + m.key));
      li.append(row);
    }
  }
  $("#search-faces").append(li);
}

// --- Settings and statistics -----------------------------------------------------

const infoLabels = {
  collectionId: "Collection", faceMatchThreshold: "Face match threshold (%)", maxFaces: "Max faces", qualityFilter: "Quality filter",
  imagePrefix: "Image prefix", searchMaxImageBytes: "Largest search image (bytes)", indexMaxImageBytes: "Largest indexed image (bytes)",
  minImageDimension: "Smallest width and height (px)", acceptedFormats: "Accepted formats", version: "Version",
};

function fillList(dl, pairs) {
  dl.replaceChildren();
  for (const [k, v] of pairs) {
    const dt = document.createElement("dt"); dt.textContent = k;
    const dd = document.createElement("dd"); dd.textContent = Array.isArray(v) ? v.join(", ") : String(v);
    dl.append(dt, dd);
  }
}

async function showSettings() {
  try {
    const info = await api("GET", "/info");
    fillList($("#info"), Object.entries(info).map(([k, v]) => [infoLabels[k] || k, v]));
  } catch (e) { fillList($("#info"), [["Error", e.message]]); }
}

async function countAll() {
  fillList($("#stats"), [["Counting", "…"]]);
  try {
    const st = await api("GET", "/stats");
    fillList($("#stats"), [["Persons", st.personCount], ["Faces", st.faceCount], ["Indexed images", st.indexedImages], ["Rejected images", st.rejectedImages]]);
  } catch (e) { fillList($("#stats"), [["Error", e.message]]); }
}

// --- Routing and wiring -------------------------------------------------------------

function route() {
  notify(pendingNotice || "");
  pendingNotice = null;
  const h = location.hash || "#/faces";
  const [, view, arg] = h.match(/^#\/([a-z]+)(?:\/(.*))?$/) || [null, "faces"];
  for (const s of document.querySelectorAll("main > section")) s.hidden = s.id !== "view-" + view;
  for (const a of document.querySelectorAll("nav a")) {
    if (a.dataset.nav === view) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  if (view === "faces") showFaces();
  if (view === "person") showPerson(decodeURIComponent(arg || ""));
  if (view === "settings") showSettings();
  if (!$("#view-" + view)) $("#view-faces").hidden = false;
  $("#main").focus({ preventScroll: true });
}

function dropZone(zone, input, onFiles) {
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => { e.preventDefault(); zone.classList.remove("over"); onFiles(e.dataTransfer.files); });
  input.addEventListener("change", () => onFiles(input.files));
}

document.addEventListener("DOMContentLoaded", async () => {
  await loadConnection();
  dropZone($("#upload-drop"), $("#upload-files"), (files) => { choose(files); notify(chosen.length + " photos chosen."); });
  $("#upload-form").addEventListener("submit", (e) => {
    e.preventDefault();
    if (!chosen.length) { notify("Choose photos first.", true); return; }
    const person = $("#upload-person").value.trim();
    const files = chosen;
    chosen = [];
    $("#upload-files").value = "";
    notify("Uploading " + files.length + " photos…");
    Promise.all(files.map((f) => upload(f, person))).then(() => notify("Uploads finished."));
  });
  dropZone($("#search-drop"), $("#search-file"), (files) => { if (files.length) search(files[0]); });
  for (const r of document.querySelectorAll("input[name=mode]")) r.addEventListener("change", () => { if (searched) search(searched); });
  $("#persons-more").addEventListener("click", morePersons);
  $("#unlabelled-more").addEventListener("click", moreUnlabelled);
  $("#stats-count").addEventListener("click", countAll);
  $("#conn-form").addEventListener("submit", (e) => {
    e.preventDefault();
    conn.endpoint = $("#conn-endpoint").value.trim();
    conn.apiKey = $("#conn-key").value.trim();
    localStorage.setItem("facerec.connection", JSON.stringify(conn));
    notify("Saved.");
    showSettings();
  });
  window.addEventListener("hashchange", route);
  route();
});

// count is n with noun, in the singular for 1: "1 face", "2 faces".
function count(n, noun) {
  return n + " " + noun + (n === 1 ? "" : "s");
}
