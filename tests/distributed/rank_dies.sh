#!/bin/sh
# rank_dies.sh MPIEXEC PROGRAM: runs PROGRAM on 3 ranks, one of which dies; passes when the
# job fails (not 0) within 60 seconds (timeout's 124 is the hang it guards against).
set -u
start=$(date +%s)
timeout 120 "$1" -np 3 --oversubscribe "$2"
status=$?
elapsed=$(( $(date +%s) - start ))
echo "rank_dies: job status $status after $elapsed s"
if [ "$status" -eq 124 ]; then echo "rank_dies: the other ranks hung"; exit 1; fi
if [ "$status" -eq 0 ]; then echo "rank_dies: the job succeeded although a rank died"; exit 1; fi
if [ "$elapsed" -gt 60 ]; then echo "rank_dies: the job took $elapsed s to end (limit 60)"; exit 1; fi
exit 0
