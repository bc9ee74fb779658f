// Times face-api 1.7.15, the offline engine's anchor, per sample photo, on
// one thread of TensorFlow.js's wasm backend: decode excluded, the whole
// pipeline (detector, 68-point landmarks, descriptor of every face), with
// its SSD MobileNet v1 detector (face-api's default) and with its tiny
// face detector (the one faceengine ports). Set beside
// `go test -run XXX -bench Faces -cpu 1 ./faceengine`.
//
// Usage, from the repository root after `npm ci --prefix tools`:
//   node tools/faceapi-bench.mjs [runs]      (default 5 runs a photo; the median is printed)
//
// It is a measurement, run by hand, not by CI.

import fs from 'node:fs';
import path from 'node:path';

import { faceapi, loadFaceApi, rgb, tf, toolsDir } from './faceapi-common.mjs';

const photosDir = path.join(toolsDir, '../examples/photos');
const runs = Number(process.argv[2] || 5);

await loadFaceApi();

const detectors = {
  ssd: new faceapi.SsdMobilenetv1Options(),
  tiny416: new faceapi.TinyFaceDetectorOptions({ inputSize: 416 }),
};
console.log(`face-api ${faceapi.version}, TensorFlow.js ${tf.version_core}, backend ${tf.getBackend()}, 1 thread, median of ${runs} runs (ms), faces found`);
for (const name of fs.readdirSync(photosDir).filter((f) => /\.(jpe?g|png)$/.test(f)).sort()) {
  const input = rgb(path.join(photosDir, name));
  const cells = [];
  for (const [label, options] of Object.entries(detectors)) {
    const times = [];
    let faces = 0;
    for (let i = 0; i <= runs; i++) { // the first run warms up and is not counted
      const t0 = performance.now();
      const found = await faceapi.detectAllFaces(input, options).withFaceLandmarks().withFaceDescriptors();
      if (i > 0) times.push(performance.now() - t0);
      faces = found.length;
    }
    times.sort((a, b) => a - b);
    cells.push(`${label} ${times[Math.floor(times.length / 2)].toFixed(0)} ms, ${faces} faces`);
  }
  input.dispose();
  console.log(`${name}: ${cells.join('; ')}`);
}
