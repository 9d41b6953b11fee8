#!/usr/bin/env bash
# A sweep that outgrows one machine, on Slurm: one array task per shard, shard I =
# SLURM_ARRAY_TASK_ID, each writing its chunks under a shared directory; a dependent job
# merges them (the files equal those of the same sweep run on one machine).
#
#   sbatch --array=0-15 examples/slurm-array.sh my-sweep.yaml results/
#   sbatch --dependency=afterok:<array job id> --wrap "hpasim merge --out results/final results/shard-*"
#
# A requeued (preempted) task resumes: finished chunks are kept (--resume).
#SBATCH --job-name=hpasim-sweep
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=06:00:00
#SBATCH --requeue
set -euo pipefail
scenario="${1:?usage: slurm-array.sh SCENARIO.yaml RESULTS_DIR}"
results="${2:?usage: slurm-array.sh SCENARIO.yaml RESULTS_DIR}"
shards="${SLURM_ARRAY_TASK_COUNT:?run as an array job: sbatch --array=0-(N-1)}"
index="${SLURM_ARRAY_TASK_ID:?run as an array job}"
exec hpasim sweep "$scenario" \
  --shard "${index}/${shards}" \
  --out "${results}/shard-${index}" \
  --threads "${SLURM_CPUS_PER_TASK:-2}" \
  --resume --quiet
