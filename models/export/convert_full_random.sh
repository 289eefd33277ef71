#!/usr/bin/env bash
# Full-size check of the SEED v1 export, without the real weights: writes random checkpoints with the
# released names and shapes (fp16, like the release), converts them to fp32 and fp16 model folders, checks
# each ONNX graph against PyTorch in onnxruntime-node, and encodes a PNG through the project's runtime.
# Slow (tens of minutes on 2 cores) and memory-hungry (about 15 GB at peak): not part of `npm test`.
#
#   models/export/convert_full_random.sh [WORK_DIR]        (default models/export/work/full)
#
# SD_ONNX=DIR points the manifests at a real diffusers-layout SD v1.4 ONNX export; without it a miniature
# stand-in with the same inputs and outputs is used (the tokenizer is what this script checks).
# Results: WORK_DIR/report.json (convert.py --report), WORK_DIR/runtime-encode-{fp32,fp16}.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${1:-models/export/work/full}
PYTHON=${SEED_PYTHON:-/usr/bin/python3}
export OMP_WAIT_POLICY=PASSIVE
mkdir -p "$WORK"

CHECKPOINTS=$WORK/checkpoints
if [ ! -f "$CHECKPOINTS/seed_tokenizer.pth" ]; then
  echo "== random full-size checkpoints -> $CHECKPOINTS"
  /usr/bin/time -f '   %e s, peak %M KB' "$PYTHON" models/export/make_random_checkpoints.py --size full --out "$CHECKPOINTS"
fi
ls -l "$CHECKPOINTS"

SD=${SD_ONNX:-$WORK/sd-stand-in}
if [ -z "${SD_ONNX:-}" ] && [ ! -f "$SD/unet/model.onnx" ]; then
  "$PYTHON" -c "import sys; sys.path[:0] = ['models/export', 'models/export/tests']
from pathlib import Path
from tiny_sd_onnx import write_tiny_sd_onnx
write_tiny_sd_onnx(Path(sys.argv[1]))" "$SD" 2>/dev/null
fi

echo "== convert -> $WORK/seed-v1-fp32 and $WORK/seed-v1-fp16 (one trace), check both in onnxruntime-node"
"$PYTHON" models/export/convert.py \
  --eva-vit "$CHECKPOINTS/eva_vit_g.pth" \
  --causal-qformer "$CHECKPOINTS/causal_qformer.pth" \
  --seed-tokenizer "$CHECKPOINTS/seed_tokenizer.pth" \
  --sd-onnx "$SD" --out "$WORK/seed-v1-fp32" --fp16-out "$WORK/seed-v1-fp16" \
  --check --report "$WORK/report.json"
free -g | head -2

"$PYTHON" -c "
from PIL import Image, ImageDraw
image = Image.new('RGB', (640, 480))
draw = ImageDraw.Draw(image)
for y in range(480):
    draw.line([(0, y), (639, y)], fill=(y // 2, 120, 255 - y // 2))
draw.ellipse([180, 100, 460, 380], fill=(240, 200, 40))
draw.rectangle([40, 300, 200, 460], fill=(30, 160, 60))
image.save('$WORK/test-image.png')"

echo "== build the runtime (dist/) and encode $WORK/test-image.png on CPU"
npx tsc -p kernel
for DTYPE in fp32 fp16; do
  node models/export/encode_with_runtime.cjs "$WORK/seed-v1-$DTYPE" "$WORK/test-image.png" | tee "$WORK/runtime-encode-$DTYPE.json"
done
echo "== report: $WORK/report.json"
