// Writes golden.json: the face-api 1.7.15 descriptors of the aligned chips
// (*.png) in this directory, for the Go test TestGoldenDescriptors, and the
// 68 landmarks of the face crops in landmarks/, for TestGoldenLandmarks, and
// the tiny face detector's boxes in detector/, for TestGoldenDetections, and
// SsdMobilenetv1's boxes in ssd/, for TestGoldenSSD.
//
// Usage, from the repository root after `npm ci --prefix tools`:
//   node faceengine/testdata/golden/golden.mjs
//
// It uses only what tools/package.json installs: face-api's
// dist/face-api.esm.js bundles TensorFlow.js 4.22.0 with its pure-JS "cpu"
// backend. That bundle is built for browsers: its Node platform needs the
// util module it stubs out, so the script hides process.versions while it
// loads, then registers a platform and a face-api environment made of Node
// globals. PNG decoding uses node:zlib (the chips are 8-bit RGB or RGBA).

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// face-api comes from the npm tools (`npm ci --prefix tools`); the weights
// are the ones the Go engine embeds.
const faceapiDir = path.join(here, '../../../tools/node_modules/@vladmandic/face-api');

const versions = Object.getOwnPropertyDescriptor(process, 'versions');
Object.defineProperty(process, 'versions', { value: {}, configurable: true });
let faceapi;
try {
  faceapi = await import(pathToFileURL(path.join(faceapiDir, 'dist/face-api.esm.js')).href);
} finally {
  Object.defineProperty(process, 'versions', versions);
}
const { tf } = faceapi;
tf.env().setPlatform('node-globals', {
  fetch: globalThis.fetch,
  now: () => performance.now(),
  encode: (s) => new TextEncoder().encode(s),
  decode: (b, enc) => new TextDecoder(enc).decode(b),
  isTypedArray: (a) => ArrayBuffer.isView(a) && !(a instanceof DataView),
});
class Unused {}
faceapi.env.setEnv({
  Canvas: Unused, CanvasRenderingContext2D: Unused, Image: Unused, ImageData: Unused, Video: Unused,
  createCanvasElement: () => new Unused(), createImageElement: () => new Unused(), createVideoElement: () => new Unused(),
  fetch: globalThis.fetch, readFile: (p) => fs.promises.readFile(p),
});
await tf.setBackend('cpu');
await tf.ready();

// Load the weights the Go engine loads, with TensorFlow.js's own decoder.
const modelDir = path.join(here, '../../model');
function load(net, manifestFile) {
  const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, manifestFile)));
  const weightMap = {};
  for (const group of manifest) {
    const buf = Buffer.concat(group.paths.map((p) => fs.readFileSync(path.join(modelDir, p))));
    Object.assign(weightMap, tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length), group.weights));
  }
  net.loadFromWeightMap(weightMap);
}
load(faceapi.nets.faceRecognitionNet, 'face_recognition_model-weights_manifest.json');
load(faceapi.nets.faceLandmark68Net, 'face_landmark_68_model-weights_manifest.json');
load(faceapi.nets.tinyFaceDetector, 'tiny_face_detector_model-weights_manifest.json');
load(faceapi.nets.ssdMobilenetv1, 'ssd_mobilenetv1_model-weights_manifest.json');

// decodePNG returns {width, height, rgb} for a non-interlaced 8-bit RGB or RGBA PNG.
function decodePNG(file) {
  const b = fs.readFileSync(file);
  let pos = 8;
  let width; let height; let channels;
  const idat = [];
  while (pos < b.length) {
    const len = b.readUInt32BE(pos);
    const type = b.toString('latin1', pos + 4, pos + 8);
    const data = b.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, color, , , interlace] = data.subarray(8);
      channels = { 2: 3, 6: 4 }[color];
      if (depth !== 8 || !channels || interlace !== 0) throw new Error(`${file}: unsupported PNG layout`);
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pix = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? pix[y * stride + i - channels] : 0;
      const up = y > 0 ? pix[(y - 1) * stride + i] : 0;
      const c = y > 0 && i >= channels ? pix[(y - 1) * stride + i - channels] : 0;
      let pred;
      switch (filter) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = up; break;
        case 3: pred = (a + up) >> 1; break;
        case 4: {
          const p = a + up - c;
          const pa = Math.abs(p - a); const pb = Math.abs(p - up); const pc = Math.abs(p - c);
          pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? up : c);
          break;
        }
        default: throw new Error(`${file}: bad PNG filter ${filter}`);
      }
      pix[y * stride + i] = (line[i] + pred) & 0xff;
    }
  }
  const rgb = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let ch = 0; ch < 3; ch++) rgb[3 * p + ch] = pix[channels * p + ch];
  }
  return { width, height, rgb };
}

const pngs = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
const descriptors = {};
for (const name of pngs(here)) {
  const { width, height, rgb } = decodePNG(path.join(here, name));
  const input = tf.tensor3d(rgb, [height, width, 3], 'float32');
  const d = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(input);
  input.dispose();
  descriptors[name] = Array.from(d);
}
// landmarks/*.png are 112×112 face crops: the landmark net's input size,
// so face-api neither pads nor resizes them. Points are fractions of the side.
const landmarks = {};
for (const name of pngs(path.join(here, 'landmarks'))) {
  const { width, height, rgb } = decodePNG(path.join(here, 'landmarks', name));
  const input = tf.tensor3d(rgb, [height, width, 3], 'float32');
  const lm = await faceapi.nets.faceLandmark68Net.detectLandmarks(input);
  input.dispose();
  landmarks[name] = lm.relativePositions.flatMap((p) => [p.x, p.y]);
}
// detector/*.png are square inputs of the tiny face detector (photos scaled
// and padded as face-api does); boxes are fractions of the side.
const detections = {};
for (const name of pngs(path.join(here, 'detector'))) {
  const { width, height, rgb } = decodePNG(path.join(here, 'detector', name));
  const input = tf.tensor3d(rgb, [height, width, 3], 'float32');
  const found = await faceapi.nets.tinyFaceDetector.locateFaces(input, new faceapi.TinyFaceDetectorOptions({ inputSize: width, scoreThreshold: 0.3 }));
  input.dispose();
  detections[name] = found.map((d) => ({ score: d.score, box: [d.relativeBox.left, d.relativeBox.top, d.relativeBox.right, d.relativeBox.bottom] }));
}
// ssd/*.png are 512×512 inputs of SsdMobilenetv1 (photos scaled and padded
// as face-api does); boxes are fractions of the side, as locateFaces clips them.
const ssd = {};
for (const name of pngs(path.join(here, 'ssd'))) {
  const { width, height, rgb } = decodePNG(path.join(here, 'ssd', name));
  const input = tf.tensor3d(rgb, [height, width, 3], 'float32');
  const found = await faceapi.nets.ssdMobilenetv1.locateFaces(input, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.3 }));
  input.dispose();
  ssd[name] = found.map((d) => ({ score: d.score, box: [d.relativeBox.left, d.relativeBox.top, d.relativeBox.right, d.relativeBox.bottom] }));
}
const out = {
  generator: `face-api ${faceapi.version}, TensorFlow.js ${tf.version_core} cpu backend, faceRecognitionNet.computeFaceDescriptor on each chip, faceLandmark68Net.detectLandmarks on each landmarks/ crop, tinyFaceDetector.locateFaces (score > 0.3) on each detector/ input, ssdMobilenetv1.locateFaces (score > 0.3) on each ssd/ input`,
  descriptors,
  landmarks,
  detections,
  ssd,
};
fs.writeFileSync(path.join(here, 'golden.json'), `${JSON.stringify(out, null, 1)}\n`);
console.log(`wrote ${Object.keys(descriptors).length} descriptors, ${Object.keys(landmarks).length} landmark sets, ${Object.keys(detections).length} detection sets and ${Object.keys(ssd).length} SSD detection sets to ${path.join(here, 'golden.json')}`);
