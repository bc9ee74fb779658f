// Shared by the face-api measurement scripts (faceapi-bench.mjs,
// faceapi-devset.mjs): face-api 1.7.15 on one thread of TensorFlow.js's
// wasm backend with its nets loaded from the pinned package, and a photo
// decoder.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const tf = require('@tensorflow/tfjs');
const wasm = require('@tensorflow/tfjs-backend-wasm');
export const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const jpeg = require('jpeg-js');
const { PNG } = require('pngjs');

/** The tools/ directory. */
export const toolsDir = path.dirname(fileURLToPath(import.meta.url));

/**
 * Selects the wasm backend with one thread and loads face-api's SSD
 * MobileNet v1, tiny face detector, 68-point landmark and recognition nets.
 */
export async function loadFaceApi() {
  wasm.setWasmPaths(`${path.join(toolsDir, 'node_modules/@tensorflow/tfjs-backend-wasm/dist')}/`);
  wasm.setThreadsCount(1);
  await tf.setBackend('wasm');
  await tf.ready();
  const modelDir = path.join(toolsDir, 'node_modules/@vladmandic/face-api/model');
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
}

/**
 * Decodes a JPEG or PNG file to { width, height, data }, data being RGB
 * bytes, 3 a pixel, row by row (EXIF orientation is not applied; the
 * photos measured have none).
 */
export function decodeRGB(file) {
  const bytes = fs.readFileSync(file);
  const img = file.endsWith('.png') ? PNG.sync.read(bytes) : jpeg.decode(bytes, { useTArray: true, maxMemoryUsageInMB: 1024 });
  const data = new Uint8Array(img.width * img.height * 3);
  for (let p = 0; p < img.width * img.height; p++) {
    for (let c = 0; c < 3; c++) data[3 * p + c] = img.data[4 * p + c];
  }
  return { width: img.width, height: img.height, data };
}

/** Returns decoded RGB bytes as a float32 tensor of shape [height, width, 3]. */
export function tensorOf(img) {
  return tf.tensor3d(Float32Array.from(img.data), [img.height, img.width, 3], 'float32');
}

/** Decodes a JPEG or PNG file to a float32 RGB tensor of shape [height, width, 3]. */
export function rgb(file) {
  return tensorOf(decodeRGB(file));
}
