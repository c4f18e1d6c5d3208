#!/usr/bin/env bash
# The main job: build the `shelf` CLI and train + evaluate every family on the bundled
# Abalone data (data/abalone), printing each family's metrics.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DSHELF_BUILD_TESTS=OFF -DSHELF_BUILD_BENCHMARKS=OFF \
      -DSHELF_BUILD_EXAMPLES=OFF "${launcher[@]}" >/dev/null
cmake --build build/release --target shelf_cli -j"$(nproc)"
shelf=build/release/tools/shelf
out=build/demo
data=data/abalone
mkdir -p "$out"

run() {  # run NAME ARGS...: one family, trained, evaluated and used for prediction
  local name=$1; shift
  echo "== $name"
  "$shelf" train --algorithm "$name" --model-dir "$out/$name" "$@" >/dev/null 2>"$out/$name.log" \
    || { cat "$out/$name.log" >&2; return 1; }
  cat "$out/$name/metrics.json"; echo
}

"$shelf" list | grep -v '^  ' | sed 's/^/algorithm: /'
for algorithm in $("$shelf" list | grep -v '^  ' | grep -v 'no algorithms'); do
  case "$algorithm" in
    kmeans) run kmeans --train $data/train-features.csv --test $data/test-features.csv --hp k=8 --hp init_method=kmeans++ ;;
    pca)    run pca --train $data/train-features.csv --test $data/test-features.csv --hp num_components=3 ;;
    linear-learner)
            run linear-learner --train $data/train.csv --validation $data/test.csv --test $data/test.csv \
                --hp predictor_type=regressor --hp feature_dim=10 ;;
    xgboost)
            run xgboost --train $data/train.csv --validation $data/test.csv --test $data/test.csv \
                --hp num_round=100 --hp objective=reg:squarederror --hp max_depth=4 --hp eta=0.1 ;;
    knn)    run knn --train $data/train.csv --test $data/test.csv --hp k=10 --hp sample_size=3177 \
                --hp predictor_type=regressor ;;
    factorization-machines)
            run factorization-machines --train $data/train.csv --validation $data/test.csv --test $data/test.csv \
                --hp predictor_type=regressor --hp num_factors=4 --hp solver=adagrad --hp epochs=30 \
                --hp bias_lr=0.1 --hp linear_lr=0.1 --hp factors_lr=0.05 --hp mini_batch_size=32 ;;
    randomcutforest)  # the test rows as normal (0) and one far-off row as an anomaly (1)
            { sed 's/^/0,/' $data/test-features.csv; echo "1,9,9,9,9,9,9,9,9,9,9"; } >"$out/anomalies.csv"
            run randomcutforest --train $data/train-features.csv --test "$out/anomalies.csv" ;;
    *)      echo "== $algorithm: no demo yet" ;;
  esac
done
