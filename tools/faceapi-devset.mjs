// Measures face-api 1.7.15, the offline engine's anchor, on the labelled
// development, held-back, fresh and fresh2 face sets (faceengine/testdata/devset), with
// its SSD MobileNet v1 detector (face-api's default) and with its tiny face
// detector, on one thread of TensorFlow.js's wasm backend. It prints the
// figures BenchmarkDevSet (faceengine/devset_test.go) reports for the
// engine, with the same rules: the same matching (IoU ≥ 0.3, one to one,
// best overlap first), the same turned portraits, turned face-free photos
// and pasted copies, the same identification probes and verification
// pairs. Set beside
// `go test -run '^$' -bench DevSet -benchtime 1x -cpu 1 ./faceengine`
// (faceengine/testdata/devset/RESULTS.md).
//
// Usage, from the repository root after `npm ci --prefix tools`:
//   node tools/faceapi-devset.mjs              (both detectors, every split)
//   node tools/faceapi-devset.mjs ssd dev      (one detector and/or split)
//   node tools/faceapi-devset.mjs ssd fresh photos   (the photos' figures only, no
//                                              turned or pasted copies: for timing
//                                              runs interleaved with the engine's)
//   node tools/faceapi-devset.mjs candidates FILE…   (SSD boxes of score ≥ 0.3 as JSON, for labelling)
//
// Times are CPU milliseconds of this process (process.cpuUsage) for the
// whole pipeline on a decoded photo: detector, 68-point landmarks and every
// face's descriptor, after a warm-up run. It is a measurement, run by
// hand, not by CI (several minutes of one core).

import fs from 'node:fs';
import path from 'node:path';

import { decodeRGB, faceapi, loadFaceApi, tensorOf, tf, toolsDir } from './faceapi-common.mjs';

const root = path.join(toolsDir, '..');
const labels = JSON.parse(fs.readFileSync(path.join(root, 'faceengine/testdata/devset/labels.json'), 'utf8')).photos;

// The rules of faceengine/devset_test.go (devSetMinIoU, devSetAngles,
// devSetNoFaceAngles, devSetPasteWidths, SameFaceDistance).
const minIoU = 0.3;
const angles = [-45, -30, -15, 15, 30, 45];
const noFaceAngles = Array.from({ length: 19 }, (_, i) => -45 + 5 * i).filter((a) => a !== 0);
const pasteWidths = [200, 160, 120, 100, 80, 60, 50, 40];
const sameDistance = 0.6;

const detectors = {
  ssd: () => new faceapi.SsdMobilenetv1Options(),
  tiny416: () => new faceapi.TinyFaceDetectorOptions({ inputSize: 416 }),
};

await loadFaceApi();

if (process.argv[2] === 'candidates') {
  const out = {};
  for (const file of process.argv.slice(3)) {
    const t = tensorOf(decodeRGB(path.join(root, file)));
    const found = await faceapi.detectAllFaces(t, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.3 }));
    t.dispose();
    out[file] = found.map((d) => [d.box.x, d.box.y, d.box.width, d.box.height].map(Math.round).concat(+d.score.toFixed(2)));
  }
  console.log(JSON.stringify(out, null, 1));
  process.exit(0);
}

const only = process.argv.slice(2);
const allSplits = ['dev', 'heldback', 'fresh', 'fresh2']; // devSplits of faceengine/devset_test.go
const splits = allSplits.filter((s) => !only.some((a) => allSplits.includes(a)) || only.includes(s));
const names = Object.keys(detectors).filter((d) => !only.some((a) => a in detectors) || only.includes(d));
const photosOnly = only.includes('photos');

// iou is the intersection over union of two [x, y, w, h] boxes.
function iou(a, b) {
  const iw = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}

// match pairs labels with detections one to one, best overlap first, pairs
// under minIoU excluded: per label its detection's index or -1, and the
// number of unmatched detections.
function match(labelBoxes, detBoxes) {
  const pairs = [];
  labelBoxes.forEach((l, li) => detBoxes.forEach((d, di) => {
    const v = iou(l, d);
    if (v >= minIoU) pairs.push({ li, di, v });
  }));
  pairs.sort((a, b) => b.v - a.v); // stable, as Go's SortStableFunc
  const m = labelBoxes.map(() => -1);
  const used = detBoxes.map(() => false);
  let falses = detBoxes.length;
  for (const p of pairs) {
    if (m[p.li] < 0 && !used[p.di]) {
      m[p.li] = p.di;
      used[p.di] = true;
      falses--;
    }
  }
  return { m, falses };
}

const boxOf = (d) => { const b = (d.detection || d).box; return [b.x, b.y, b.width, b.height]; };

// sample returns the bilinear sample of img's channel c at (x, y), pixel
// (i, j) centred on (i + 0.5, j + 0.5); black outside.
function sample(img, x, y, c) {
  const fx = x - 0.5; const fy = y - 0.5;
  const x0 = Math.floor(fx); const y0 = Math.floor(fy);
  const ax = fx - x0; const ay = fy - y0;
  let v = 0;
  for (const [dx, dy, w] of [[0, 0, (1 - ax) * (1 - ay)], [1, 0, ax * (1 - ay)], [0, 1, (1 - ax) * ay], [1, 1, ax * ay]]) {
    const i = x0 + dx; const j = y0 + dy;
    if (w > 0 && i >= 0 && j >= 0 && i < img.width && j < img.height) v += w * img.data[3 * (j * img.width + i) + c];
  }
  return v;
}

// turned is faceengine's turned test helper: img turned by deg degrees
// (clockwise as seen for deg > 0) about its centre, on a square black
// canvas of its longer side, destination p sampling the source at
// c + r(p − c), r = e^(−i·deg).
function turned(img, deg) {
  const size = Math.max(img.width, img.height);
  const th = (-deg * Math.PI) / 180;
  const cos = Math.cos(th); const sin = Math.sin(th);
  const cx = img.width / 2; const cy = img.height / 2;
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const px = x + 0.5 - cx; const py = y + 0.5 - cy;
      const sx = cx + cos * px - sin * py; const sy = cy + sin * px + cos * py;
      for (let c = 0; c < 3; c++) data[3 * (y * size + x) + c] = Math.round(sample(img, sx, sy, c));
    }
  }
  return { width: size, height: size, data };
}

// turnedBox is devTurnedBox: the same-size upright box centred where box's
// centre goes in turned(img, deg).
function turnedBox(img, box, deg) {
  const th = (deg * Math.PI) / 180; // q goes to c + (q − c)·e^(i·deg)
  const cx = img.width / 2; const cy = img.height / 2;
  const qx = box[0] + box[2] / 2 - cx; const qy = box[1] + box[3] / 2 - cy;
  const px = cx + Math.cos(th) * qx - Math.sin(th) * qy; const py = cy + Math.sin(th) * qx + Math.cos(th) * qy;
  return [px - box[2] / 2, py - box[3] / 2, box[2], box[3]];
}

// weights returns, per destination index of an n-pixel axis scaled by k,
// the source indices and normalised weights of a triangle kernel stretched
// by 1/k when shrinking (as golang.org/x/image/draw's BiLinear scales).
function weights(n, srcN, k) {
  const r = Math.max(1, 1 / k);
  const out = [];
  for (let d = 0; d < n; d++) {
    const c = (d + 0.5) / k - 0.5;
    const taps = [];
    let sum = 0;
    for (let s = Math.max(0, Math.ceil(c - r)); s <= Math.min(srcN - 1, Math.floor(c + r)); s++) {
      const w = 1 - Math.abs(s - c) / r;
      if (w > 0) { taps.push([s, w]); sum += w; }
    }
    out.push(taps.map(([s, w]) => [s, w / sum]));
  }
  return out;
}

// pasted is devPasted: img scaled so that box is width pixels wide, pasted
// into a grey (128) 1920×1080 canvas with box's centre at the canvas's
// centre; and box's place in the canvas.
function pasted(img, box, width) {
  const k = width / box[2];
  const cx = 960 - k * (box[0] + box[2] / 2); const cy = 540 - k * (box[1] + box[3] / 2);
  const x0 = Math.round(cx); const y0 = Math.round(cy);
  const w = Math.round(cx + k * img.width) - x0; const h = Math.round(cy + k * img.height) - y0;
  const kx = w / img.width; const ky = h / img.height;
  const data = new Uint8Array(1920 * 1080 * 3).fill(128);
  const wx = weights(w, img.width, kx); const wy = weights(h, img.height, ky);
  const row = new Float64Array(img.width * 3);
  for (let y = 0; y < h; y++) {
    if (y0 + y < 0 || y0 + y >= 1080) continue;
    row.fill(0);
    for (const [sy, wgt] of wy[y]) {
      for (let i = 0; i < img.width * 3; i++) row[i] += wgt * img.data[sy * img.width * 3 + i];
    }
    for (let x = 0; x < w; x++) {
      if (x0 + x < 0 || x0 + x >= 1920) continue;
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (const [sx, wgt] of wx[x]) v += wgt * row[3 * sx + c];
        data[3 * ((y0 + y) * 1920 + x0 + x) + c] = Math.round(v);
      }
    }
  }
  return { img: { width: 1920, height: 1080, data }, box: [x0 + kx * box[0], y0 + ky * box[1], kx * box[2], ky * box[3]] };
}

const decoded = new Map();
function photo(file) {
  if (!decoded.has(file)) decoded.set(file, decodeRGB(path.join(root, file)));
  return decoded.get(file);
}

async function detectBoxes(img, options) {
  const t = tensorOf(img);
  const found = await faceapi.detectAllFaces(t, options);
  t.dispose();
  return found.map(boxOf);
}

// identification and verification are devIdentification and
// devVerification.
function identification(faces) {
  let probes = 0; let hits = 0;
  faces.forEach((p, i) => {
    if (!faces.some((g) => g.file !== p.file && g.identity === p.identity)) return;
    probes++;
    if (!p.desc) return;
    let best = Infinity; let bestID = '';
    faces.forEach((g, j) => {
      if (j === i || g.file === p.file || !g.desc) return;
      const d = faceapi.euclideanDistance(p.desc, g.desc);
      if (d < best) { best = d; bestID = g.identity; }
    });
    if (bestID === p.identity) hits++;
  });
  return { probes, hits };
}

function verification(faces) {
  let pairs = 0; let right = 0; let foundPairs = 0; let foundRight = 0;
  faces.forEach((a, i) => faces.slice(i + 1).forEach((b) => {
    pairs++;
    if (!a.desc || !b.desc) return;
    foundPairs++;
    if ((faceapi.euclideanDistance(a.desc, b.desc) < sameDistance) === (a.identity === b.identity)) { right++; foundRight++; }
  }));
  return { pairs, right, foundPairs, foundRight };
}

const fmt = (v, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '–');

console.log(`face-api ${faceapi.version}, TensorFlow.js ${tf.version_core}, backend ${tf.getBackend()}, 1 thread; rules of faceengine/devset_test.go`);
for (const name of names) {
  const options = detectors[name]();
  { // warm up: the first inference compiles and allocates
    const t = tensorOf(photo(labels[0].file));
    await faceapi.detectAllFaces(t, options).withFaceLandmarks().withFaceDescriptors();
    t.dispose();
  }
  for (const split of splits) {
    const kinds = {};
    const ident = [];
    for (const p of labels.filter((l) => l.split === split)) {
      const t = tensorOf(photo(p.file));
      const c0 = process.cpuUsage();
      const faces = await faceapi.detectAllFaces(t, options).withFaceLandmarks().withFaceDescriptors();
      const c = process.cpuUsage(c0);
      t.dispose();
      const { m, falses } = match(p.faces.map((f) => f.box), faces.map(boxOf));
      const k = kinds[p.kind] || (kinds[p.kind] = { photos: 0, labels: 0, found: 0, falses: 0, cpu: [] });
      k.photos++;
      k.labels += p.faces.length;
      k.falses += falses;
      k.cpu.push((c.user + c.system) / 1000);
      m.forEach((d, i) => {
        if (d >= 0) k.found++;
        if (p.faces[i].identity && p.kind !== 'hard') ident.push({ file: p.file, identity: p.faces[i].identity, desc: d >= 0 ? faces[d].descriptor : null });
      });
    }
    for (const kind of ['group', 'portrait', 'noface', 'hard']) {
      const k = kinds[kind];
      if (!k) continue;
      const mean = k.cpu.reduce((a, b) => a + b, 0) / k.cpu.length;
      console.log(`${name} ${split}/${kind}: ${k.labels ? fmt((100 * k.found) / k.labels, 2) : '–'} %recall, ${k.found} of ${k.labels} faces, ${k.falses} false, ${fmt(mean)} cpu-ms/photo, ${fmt(Math.max(...k.cpu))} max-cpu-ms (${k.photos} photos)`);
    }

    if (photosOnly) continue;
    const portraits = labels.filter((l) => l.split === split && l.kind === 'portrait' && l.faces.length === 1);
    const found = angles.map(() => 0);
    let falses = 0;
    for (const p of portraits) {
      const img = photo(p.file);
      for (const [i, deg] of angles.entries()) {
        const r = match([turnedBox(img, p.faces[0].box, deg)], await detectBoxes(turned(img, deg), options));
        if (r.m[0] >= 0) found[i]++;
        falses += r.falses;
      }
    }
    console.log(`${name} ${split}/turned: ${angles.map((a, i) => `${found[i]} found-${a < 0 ? 'm' : 'p'}${String(Math.abs(a)).padStart(2, '0')}`).join(', ')} of ${portraits.length} portraits, ${falses} false`);

    let nofaceFalses = 0; let nofaceImages = 0;
    for (const p of labels.filter((l) => l.split === split && l.kind === 'noface')) {
      const img = photo(p.file);
      for (const deg of noFaceAngles) {
        nofaceFalses += (await detectBoxes(turned(img, deg), options)).length;
        nofaceImages++;
      }
    }
    console.log(`${name} ${split}/noface-turned: ${nofaceFalses} false in ${nofaceImages} images`);

    const smallest = []; let at40 = 0; falses = 0;
    for (const p of portraits) {
      const img = photo(p.file);
      let least = 999;
      for (const w of pasteWidths) {
        const { img: canvas, box } = pasted(img, p.faces[0].box, w);
        const r = match([box], await detectBoxes(canvas, options));
        falses += r.falses;
        if (r.m[0] < 0) break;
        least = w;
        if (w === 40) at40++;
      }
      smallest.push(least);
      if (least > 40) console.log(`  ${name} ${split}/pasted ${path.basename(p.file)}: smallest ${least}`);
    }
    smallest.sort((a, b) => a - b);
    console.log(`${name} ${split}/pasted: ${smallest[smallest.length >> 1]} px-median, ${smallest[smallest.length - 1]} px-all, ${fmt((100 * at40) / portraits.length, 2)} %found-40px, ${falses} false`);

    const id = identification(ident);
    if (!id.probes) continue; // no person twice in this split (fresh2)
    const ver = verification(ident);
    console.log(`${name} ${split}/identity: ${fmt((100 * id.hits) / id.probes, 2)} %top1 of ${id.probes} probes, ${fmt((100 * ver.right) / ver.pairs, 2)} %verify of ${ver.pairs} pairs, ${fmt((100 * ver.foundRight) / ver.foundPairs, 2)} %verify-found of ${ver.foundPairs} pairs-found`);
  }
}
