/**
 * The runtime's one door to onnxruntime-node: every module (and the bench) imports `ort` from here, so
 * that what must hold before ONNX Runtime starts is decided once.
 *
 * Telemetry off unless the user decides otherwise. ONNX Runtime 1.29+ on Linux and macOS reports usage
 * to Microsoft by default (1DS: a persistent device id and an event queue under
 * ~/.cache/Microsoft/DeveloperTools/.onnxruntime, uploads of session, model and provider events, and an
 * empty /tmp/mat-debug-PID.log left by every process). A notebook kernel, a CLI run or a tokenization
 * worker on a cluster node should not do that unasked, and 500 such files had piled up in /tmp here. ONNX
 * Runtime reads `ORT_DISABLE_TELEMETRY` when it creates its environment, at the first session, so setting
 * it when this module loads is early enough. A value the user has set, `0` included, is left alone; child
 * processes (tokenization workers) inherit it.
 */
import * as ort from 'onnxruntime-node';

process.env.ORT_DISABLE_TELEMETRY ??= '1';

export { ort };
