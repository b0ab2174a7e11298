#!/usr/bin/env bash
# Example SLURM job array: capture DINOv2 ViT-B/14 activations of ImageNet-1K train in N parts, one
# part per array task, then join the parts into one cache without copying shard data.
#
#   sbatch environment/slurm-capture.sh                 # the capture, N array tasks
#   sbatch --dependency=afterok:<JOBID> --wrap "./saelab cache merge $OUT/part-* --out $OUT/merged"
#
# Each task captures the contiguous slice SLURM_ARRAY_TASK_ID of SLURM_ARRAY_TASK_COUNT of the
# dataset list into its own cache ($OUT/part-<i>); `saelab capture` reads both variables when --part
# is not given, so the array must be indexed from 0 (--array=0-(N-1)). A task that is killed or
# requeued resumes after its last complete shard when run again with the same command (same
# --batch and options; anything else is refused with the field that differs), and a task whose part
# is already complete exits at once. `saelab cache merge` checks that the parts agree (model,
# preprocessing, layers, tokens, dtype, dataset list) and cover the list once, then hard-links the
# parts' shard files into the merged folder (relative symbolic links if the file system refuses hard
# links; then keep the parts).
#
#SBATCH --job-name=saelab-capture
# N = 8 parts, indexed from 0; decode + preprocess threads = --cpus-per-task; --requeue: preempted tasks resume.
#SBATCH --array=0-7
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=16
#SBATCH --mem=64G
#SBATCH --time=08:00:00
#SBATCH --requeue
#SBATCH --output=logs/capture-%A_%a.out

set -euo pipefail

MODEL=${MODEL:-facebook/dinov2-base}          # a folder or a hub id (fetched into SAELAB_HOME/hub)
DATASET=${DATASET:-imagenet:/data/imagenet}   # KIND:PATH, see `saelab capture --help`
OUT=${OUT:-/scratch/$USER/caches/dinov2-b14-in1k-l10}

mkdir -p "$OUT" logs
# With the hub id, download once before the array starts (or set HF_HUB_OFFLINE=1 on a pre-seeded cache)
# so that N tasks do not fetch the same weights at once.
./saelab capture \
    --model "$MODEL" \
    --dataset "$DATASET" --split train \
    --layers 10 --tokens cls,patches --dtype f16 \
    --batch 64 --device gpu --threads "${SLURM_CPUS_PER_TASK:-8}" \
    --out "$OUT/part-$(printf '%03d' "$SLURM_ARRAY_TASK_ID")"

# The last task to finish could merge, but a separate dependent job is simpler and safe:
#   sbatch --dependency=afterok:$SLURM_ARRAY_JOB_ID --wrap \
#       "./saelab cache merge $OUT/part-* --out $OUT/merged && ./saelab cache verify $OUT/merged --quiet"
