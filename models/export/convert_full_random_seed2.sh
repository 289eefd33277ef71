#!/usr/bin/env bash
# Full-size check of the SEED-2 export, without the real weights: writes random eva_vit_g.pth and
# seed_quantizer.pt with the released names and shapes (fp16, like the release; seed_quantizer.pt also holds
# a copy of the ViT, so the release's load order is exercised at full size), converts them to an fp32 model
# folder and checks both ONNX graphs against PyTorch in onnxruntime-node (fails above 1e-4).
# Slow (tens of minutes on 2 cores) and memory-hungry: not part of `npm test`. Run it under
# `flock /tmp/fullsize.lock` on shared machines.
#
#   models/export/convert_full_random_seed2.sh [WORK_DIR]        (default models/export/work/full-seed2)
#
# UNCLIP_ONNX=DIR points the manifest at a real export_sd21_unclip_onnx.py folder; without it a miniature
# stand-in with the same inputs and outputs is used (the tokenizer is what this script checks).
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${1:-models/export/work/full-seed2}
PYTHON=${SEED_PYTHON:-/usr/bin/python3}
export OMP_WAIT_POLICY=PASSIVE
mkdir -p "$WORK"

CHECKPOINTS=$WORK/checkpoints
if [ ! -f "$CHECKPOINTS/seed_quantizer.pt" ]; then
  echo "== random full-size SEED-2 checkpoints -> $CHECKPOINTS"
  /usr/bin/time -f '   %e s, peak %M KB' "$PYTHON" models/export/make_random_checkpoints.py \
    --family seed-v2 --size full --vit-copy --out "$CHECKPOINTS"
fi
ls -l "$CHECKPOINTS"

UNCLIP=${UNCLIP_ONNX:-$WORK/unclip-stand-in}
if [ -z "${UNCLIP_ONNX:-}" ] && [ ! -f "$UNCLIP/unclip.json" ]; then
  "$PYTHON" -c "import sys; sys.path[:0] = ['models/export', 'models/export/tests']
from pathlib import Path
from tiny_unclip_onnx import write_tiny_unclip_onnx
write_tiny_unclip_onnx(Path(sys.argv[1]))" "$UNCLIP" 2>/dev/null
fi

echo "== convert -> $WORK/seed-v2-fp32, check in onnxruntime-node"
/usr/bin/time -f '   %e s, peak %M KB' "$PYTHON" models/export/convert_seed2.py \
  --seed-quantizer "$CHECKPOINTS/seed_quantizer.pt" --eva-vit "$CHECKPOINTS/eva_vit_g.pth" \
  --unclip-onnx "$UNCLIP" --out "$WORK/seed-v2-fp32" --check --tolerance 1e-4 --report "$WORK/report.json"
echo "== report: $WORK/report.json"
