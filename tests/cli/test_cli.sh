#!/usr/bin/env bash
# The `shelf` command-line contract: commands, outputs, exit codes and messages.
# Usage: test_cli.sh SHELF_BINARY DATA_DIR WORK_DIR
set -uo pipefail
shelf=$1 data=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
failures=0

check() {  # check DESCRIPTION EXPECTED_STATUS STDERR_PATTERN -- COMMAND...
  local what=$1 want=$2 pattern=$3; shift 4
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" != "$want" ] || ! grep -qE -- "$pattern" "$work/err" "$work/out"; then
    echo "FAIL: $what: exit $got (want $want), output:"; cat "$work/out" "$work/err" | head -20
    failures=$((failures + 1))
  else
    echo "ok: $what"
  fi
}
expect_file_contains() {  # expect_file_contains DESCRIPTION FILE PATTERN
  if grep -qE -- "$3" "$2"; then echo "ok: $1"; else echo "FAIL: $1: $2 lacks /$3/"; head -5 "$2"; failures=$((failures + 1)); fi
}

check "no command is a usage error" 2 "" -- "$shelf"
check "an unknown command is a usage error" 2 "" -- "$shelf" frobnicate
check "train without --model-dir is a usage error" 2 "model-dir" -- "$shelf" train --algorithm kmeans --train "$data/abalone/train.csv"
check "an unknown algorithm is a usage error naming the known ones" 2 "unknown algorithm 'kmeanz'" -- \
  "$shelf" train --algorithm kmeanz --train "$data/abalone/train.csv" --model-dir "$work/m"
check "a missing training file is a usage error" 2 "train" -- \
  "$shelf" train --algorithm kmeans --train "$work/nope.csv" --model-dir "$work/m"
check "a bad content type is a usage error" 2 "content-type" -- \
  "$shelf" train --algorithm kmeans --train "$data/abalone/train.csv" --content-type text/xml --model-dir "$work/m"
check "list runs" 0 "" -- "$shelf" list
check "training reports each channel's reading, with its speed" 0 "read 3177 rows in [0-9.]+ s \([0-9.]+ MB, [0-9]+ MB/s\)" -- \
  "$shelf" train --algorithm kmeans --train "$data/abalone/train.csv" --hp k=3 --hp feature_dim=11 --model-dir "$work/read"
check "predict without a model is a model error" 1 "model" -- \
  "$shelf" predict --model-dir "$work/none" --input "$data/abalone/test-features.csv"
mkdir -p "$work/bad" && printf 'not a model' >"$work/bad/model.shelf"
check "a corrupt model is refused" 1 "shelf.model_error.301" -- \
  "$shelf" predict --model-dir "$work/bad" --input "$data/abalone/test-features.csv"

# Families: a full train / predict / evaluate round for each registered one.
algorithms=$("$shelf" list | grep -v '^ ' | grep -v 'no algorithms')
has() { grep -qx "$1" <<<"$algorithms"; }

if has kmeans; then
  check "kmeans trains and reports train and test msd" 0 '"test:msd"' -- \
    "$shelf" train --algorithm kmeans --train "$data/abalone/train-features.csv" --test "$data/abalone/test-features.csv" \
      --hp k=4 --hp init_method=kmeans++ --model-dir "$work/kmeans"
  expect_file_contains "metrics.json holds train:msd" "$work/kmeans/metrics.json" '"train:msd"'
  check "kmeans predicts closest_cluster and distance_to_cluster per row" 0 '"closest_cluster": [0-3], "distance_to_cluster": ' -- \
    "$shelf" predict --model-dir "$work/kmeans" --input "$data/abalone/test-features.csv"
  [ "$(wc -l <"$work/out")" = 1000 ] && echo "ok: one line per input row" || { echo "FAIL: rows"; failures=$((failures + 1)); }
  check "kmeans predicts CSV with --accept text/csv" 0 '^[0-3],[0-9.e-]+$' -- \
    "$shelf" predict --model-dir "$work/kmeans" --input "$data/abalone/test-features.csv" --accept text/csv
  check "kmeans evaluates to test metrics" 0 '"test:msd"' -- \
    "$shelf" evaluate --model-dir "$work/kmeans" --test "$data/abalone/test-features.csv"
  check "an unknown hyperparameter is a usage error with a suggestion" 2 "did you mean 'k'" -- \
    "$shelf" train --algorithm kmeans --train "$data/abalone/train-features.csv" --hp kk=3 --model-dir "$work/m"
  check "a hyperparameter out of range is a usage error" 2 "shelf.invalid_argument.101" -- \
    "$shelf" train --algorithm kmeans --train "$data/abalone/train-features.csv" --hp k=0 --model-dir "$work/m"
  printf '1,2,3\n4,5\n' >"$work/ragged.csv"
  check "a ragged CSV row is a data error naming file and line" 1 "ragged.csv:2" -- \
    "$shelf" train --algorithm kmeans --train "$work/ragged.csv" --hp k=1 --model-dir "$work/m"
  printf '{"k": "3", "init_method": "random"}' >"$work/hp.json"
  check "hyperparameters come from a JSON file" 0 '"train:msd"' -- \
    "$shelf" train --algorithm kmeans --train "$data/abalone/train-features.csv" --hyperparameters "$work/hp.json" --model-dir "$work/m"
  check "predict features with the wrong width is a data error" 1 "shelf.data_error.202" -- \
    "$shelf" predict --model-dir "$work/kmeans" --input "$data/abalone/test.csv"
fi
if has pca; then
  check "pca trains" 0 '"train:' -- \
    "$shelf" train --algorithm pca --train "$data/abalone/train-features.csv" --hp num_components=3 --model-dir "$work/pca"
  check "pca predicts a projection list per row" 0 '^\{"projection": \[[^,]+, [^,]+, [^,]+\]\}$' -- \
    "$shelf" predict --model-dir "$work/pca" --input "$data/abalone/test-features.csv"
fi

# A binary label (rings >= 10) and a three-class one (rings < 9, 9-10, > 10) from Abalone.
awk -F, 'BEGIN{OFS=","} {$1 = ($1 >= 10) ? 1 : 0; print}' "$data/abalone/train.csv" >"$work/binary.csv"
awk -F, 'BEGIN{OFS=","} {$1 = ($1 < 9) ? 0 : ($1 <= 10 ? 1 : 2); print}' "$data/abalone/train.csv" >"$work/three.csv"
if has linear-learner; then
  check "linear-learner regressor reports objective_loss and rmse" 0 '"test:rmse"' -- \
    "$shelf" train --algorithm linear-learner --train "$data/abalone/train.csv" --test "$data/abalone/test.csv" \
      --hp predictor_type=regressor --hp feature_dim=10 --model-dir "$work/ll"
  check "linear-learner regressor predicts a score per row" 0 '^\{"score": [0-9.e+-]+\}$' -- \
    "$shelf" predict --model-dir "$work/ll" --input "$data/abalone/test-features.csv"
  check "linear-learner binary classifier predicts score and predicted_label" 0 '"score": [0-9.e-]+, "predicted_label": [01]' -- \
    bash -c "'$shelf' train --algorithm linear-learner --train '$work/binary.csv' --hp predictor_type=binary_classifier \
      --hp feature_dim=10 --hp binary_classifier_model_selection_criteria=f_beta --model-dir '$work/llb' >/dev/null 2>&1 &&
      '$shelf' predict --model-dir '$work/llb' --input '$data/abalone/test-features.csv'"
  check "linear-learner without predictor_type is a usage error" 2 "predictor_type" -- \
    "$shelf" train --algorithm linear-learner --train "$data/abalone/train.csv" --hp feature_dim=10 --model-dir "$work/m"
  rm -rf "$work/never-ll"
  check "linear-learner checks the test channel's labels before training, naming file and row" 1 "test channel: .*abalone/test.csv: the label in line 1 is" -- \
    "$shelf" train --algorithm linear-learner --train "$work/binary.csv" --test "$data/abalone/test.csv" \
      --hp predictor_type=binary_classifier --model-dir "$work/never-ll"
  [ ! -e "$work/never-ll" ] && echo "ok: no linear model written when the test channel is bad" || { echo "FAIL: a model dir was written"; failures=$((failures + 1)); }
  check "linear-learner binary labels outside {0,1} are a data error" 1 "label" -- \
    "$shelf" train --algorithm linear-learner --train "$data/abalone/train.csv" --hp predictor_type=binary_classifier \
      --hp feature_dim=10 --model-dir "$work/m"
fi
if has knn; then
  check "knn classifier reports train and test accuracy" 0 '"test:accuracy"' -- \
    "$shelf" train --algorithm knn --train "$work/three.csv" --test "$work/three.csv" --hp k=5 --hp sample_size=2000 \
      --hp predictor_type=classifier --model-dir "$work/knn"
  check "knn predicts predicted_label per row" 0 '^\{"predicted_label": [0-2]\}$' -- \
    "$shelf" predict --model-dir "$work/knn" --input "$data/abalone/test-features.csv"
  check "knn with verbose=true adds the neighbours' labels and distances" 0 \
    '^\{"predicted_label": [0-2], "labels": \[[0-2], [0-2], [0-2], [0-2], [0-2]\], "distances": \[[0-9.e-]+(, [0-9.e-]+){4}\]\}$' -- \
    "$shelf" predict --model-dir "$work/knn" --input "$data/abalone/test-features.csv" --accept "application/jsonlines; verbose=true"
  check "an unknown accept parameter is a usage error" 2 "unknown parameter 'verbose=yes'" -- \
    "$shelf" predict --model-dir "$work/knn" --input "$data/abalone/test-features.csv" --accept "text/csv; verbose=yes"
  check "knn regressor evaluates to test mse" 0 '"test:mse"' -- \
    bash -c "'$shelf' train --algorithm knn --train '$data/abalone/train.csv' --hp k=10 --hp sample_size=500 \
      --hp predictor_type=regressor --hp dimension_reduction_type=sign --hp dimension_reduction_target=4 \
      --model-dir '$work/knnr' >/dev/null 2>&1 && '$shelf' evaluate --model-dir '$work/knnr' --test '$data/abalone/test.csv'"
  check "knn with k above sample_size is a usage error" 2 "k = 20 is more than the 10 rows" -- \
    "$shelf" train --algorithm knn --train "$work/three.csv" --hp k=20 --hp sample_size=10 --hp predictor_type=classifier \
      --model-dir "$work/m"
  check "knn with faiss.IVFPQ trains, saves and predicts" 0 '^\{"predicted_label": [0-2]\}$' -- \
    bash -c "'$shelf' train --algorithm knn --train '$work/three.csv' --hp k=5 --hp sample_size=2000 \
      --hp predictor_type=classifier --hp index_type=faiss.IVFPQ --hp faiss_index_ivf_nlists=8 --hp nprobe=3 \
      --model-dir '$work/knnpq' >/dev/null 2>&1 && '$shelf' predict --model-dir '$work/knnpq' --input '$data/abalone/test-features.csv'"
  check "knn with a faiss_index_pq_m off the platform's list is a usage error" 2 "faiss_index_pq_m = 5; expected one of" -- \
    "$shelf" train --algorithm knn --train "$work/three.csv" --hp k=5 --hp sample_size=100 --hp predictor_type=classifier \
      --hp index_type=faiss.IVFPQ --hp faiss_index_pq_m=5 --model-dir "$work/m"
fi
if has factorization-machines; then
  check "factorization-machines regressor reports train and test rmse" 0 '"test:rmse"' -- \
    "$shelf" train --algorithm factorization-machines --train "$data/abalone/train.csv" --test "$data/abalone/test.csv" \
      --hp predictor_type=regressor --hp num_factors=4 --hp epochs=5 --hp mini_batch_size=50 --model-dir "$work/fmr"
  check "factorization-machines regressor predicts a score per row" 0 '^\{"score": [0-9.e+-]+\}$' -- \
    "$shelf" predict --model-dir "$work/fmr" --input "$data/abalone/test-features.csv"
  awk -F, '{printf "%s", $1; for (i = 2; i <= NF; ++i) if ($i != 0) printf " %d:%s", i - 1, $i; print ""}' \
    "$work/binary.csv" >"$work/fm-binary.libsvm"
  check "factorization-machines classifier trains on libsvm with a validation channel" 0 \
    '"validation:binary_classification_cross_entropy"' -- \
    "$shelf" train --algorithm factorization-machines --train "$work/fm-binary.libsvm" \
      --validation "$work/fm-binary.libsvm" --hp predictor_type=binary_classifier --hp num_factors=4 --hp epochs=3 \
      --hp solver=adagrad --hp factors_lr=0.05 --hp linear_lr=0.05 --model-dir "$work/fmb"
  expect_file_contains "metrics.json holds train:binary_f_beta" "$work/fmb/metrics.json" '"train:binary_f_beta"'
  check "factorization-machines classifier predicts score and predicted_label" 0 \
    '^\{"score": [0-9.e-]+, "predicted_label": [01]\}$' -- \
    "$shelf" predict --model-dir "$work/fmb" --input "$work/fm-binary.libsvm"
  printf '1 1:1 12:0.5\n' >"$work/fm-wider.libsvm"
  check "factorization-machines trained with feature_dim above the file's indexes predicts the features between" 0 \
    '^\{"score": [0-9.e-]+, "predicted_label": [01]\}$' -- \
    bash -c "'$shelf' train --algorithm factorization-machines --train '$work/fm-binary.libsvm' \
      --hp predictor_type=binary_classifier --hp num_factors=4 --hp feature_dim=12 --model-dir '$work/fmw' >/dev/null 2>&1 \
      && '$shelf' predict --model-dir '$work/fmw' --input '$work/fm-wider.libsvm'"
  check "without that feature_dim, a feature past the training file's is refused" 1 "feature index" -- \
    "$shelf" predict --model-dir "$work/fmb" --input "$work/fm-wider.libsvm"
  check "factorization-machines classifier labels outside {0,1} are a data error naming the line" 1 \
    "the label in line 1 is 15; a binary_classifier expects labels 0 and 1" -- \
    "$shelf" train --algorithm factorization-machines --train "$data/abalone/train.csv" \
      --hp predictor_type=binary_classifier --hp num_factors=2 --model-dir "$work/m"
  check "factorization-machines without num_factors is a usage error" 2 "num_factors is required" -- \
    "$shelf" train --algorithm factorization-machines --train "$data/abalone/train.csv" --hp predictor_type=regressor \
      --model-dir "$work/m"
  check "factorization-machines names its solvers" 2 "one of sgd, adagrad, als, mcmc" -- \
    "$shelf" train --algorithm factorization-machines --train "$data/abalone/train.csv" --hp predictor_type=regressor \
      --hp num_factors=2 --hp solver=newton --model-dir "$work/m"
  check "factorization-machines mcmc trains with feature groups; a validation feature below feature_dim is accepted" 0 \
    '"validation:rmse"' -- \
    "$shelf" train --algorithm factorization-machines --train "$work/fm-binary.libsvm" --validation "$work/fm-wider.libsvm" \
      --hp predictor_type=regressor --hp num_factors=3 --hp feature_dim=12 --hp solver=mcmc --hp epochs=20 \
      --hp group_sizes=4,4 --model-dir "$work/fmm"
  check "an mcmc model loads and predicts (the average of its samples)" 0 '^\{"score": [0-9.e-]+\}$' -- \
    "$shelf" predict --model-dir "$work/fmm" --input "$work/fm-wider.libsvm"
  check "factorization-machines als trains a regressor" 0 '"train:rmse"' -- \
    "$shelf" train --algorithm factorization-machines --train "$work/fm-binary.libsvm" --hp predictor_type=regressor \
      --hp num_factors=3 --hp solver=als --hp epochs=5 --hp linear_wd=1 --hp factors_wd=1 --model-dir "$work/fma"
  check "als refuses a binary_classifier, by name" 2 "solver = als fits a regressor only" -- \
    "$shelf" train --algorithm factorization-machines --train "$work/fm-binary.libsvm" \
      --hp predictor_type=binary_classifier --hp num_factors=3 --hp solver=als --model-dir "$work/m"
  check "mcmc trains a probit classifier that predicts score and predicted_label" 0 \
    '^\{"score": [0-9.e-]+, "predicted_label": [01]\}$' -- \
    bash -c "'$shelf' train --algorithm factorization-machines --train '$work/fm-binary.libsvm' \
      --hp predictor_type=binary_classifier --hp num_factors=3 --hp solver=mcmc --hp epochs=20 \
      --model-dir '$work/fmp' >/dev/null 2>&1 && '$shelf' predict --model-dir '$work/fmp' --input '$work/fm-binary.libsvm'"
fi
if has xgboost; then
  check "xgboost without num_round is a usage error" 2 "num_round" -- \
    "$shelf" train --algorithm xgboost --train "$data/abalone/train.csv" --model-dir "$work/m"
  check "xgboost regression reports validation rmse" 0 '"validation:rmse"' -- \
    "$shelf" train --algorithm xgboost --train "$data/abalone/train.csv" --validation "$data/abalone/test.csv" \
      --hp num_round=20 --hp max_depth=3 --model-dir "$work/xgr"
  check "xgboost binary:logistic predicts a probability per row" 0 '^\{"score": (0|1|0\.[0-9e-]+|[0-9.]+e-[0-9]+)\}$' -- \
    bash -c "'$shelf' train --algorithm xgboost --train '$work/binary.csv' --hp num_round=20 --hp objective=binary:logistic \
      --model-dir '$work/xgb' >/dev/null 2>&1 && '$shelf' predict --model-dir '$work/xgb' --input '$data/abalone/test-features.csv'"
  check "xgboost multi:softprob predicts class scores and predicted_label" 0 '^\{"score": \[[^],]+, [^],]+, [^],]+\], "predicted_label": [0-2]\}$' -- \
    bash -c "'$shelf' train --algorithm xgboost --train '$work/three.csv' --hp num_round=10 --hp objective=multi:softprob \
      --hp num_class=3 --model-dir '$work/xgm' >/dev/null 2>&1 && '$shelf' predict --model-dir '$work/xgm' --input '$data/abalone/test-features.csv'"
  check "xgboost multi:softmax predicts predicted_label alone" 0 '^\{"predicted_label": [0-2]\}$' -- \
    bash -c "'$shelf' train --algorithm xgboost --train '$work/three.csv' --hp num_round=5 --hp objective=multi:softmax \
      --hp num_class=3 --model-dir '$work/xgs' >/dev/null 2>&1 && '$shelf' predict --model-dir '$work/xgs' --input '$data/abalone/test-features.csv'"
  # libsvm: absent entries are missing values (here every zero of the one-hot sex columns).
  awk -F, '{printf "%s", $1; for (i = 2; i <= NF; ++i) if ($i != 0) printf " %d:%s", i - 1, $i; print ""}' \
    "$work/binary.csv" >"$work/binary.libsvm"
  check "xgboost trains on libsvm input" 0 '"train:logloss"' -- \
    "$shelf" train --algorithm xgboost --train "$work/binary.libsvm" --hp num_round=10 --hp objective=binary:logistic \
      --hp eval_metric=logloss --model-dir "$work/xgl"
  check "xgboost predicts libsvm input" 0 '^\{"score": ' -- \
    "$shelf" predict --model-dir "$work/xgl" --input "$work/binary.libsvm"
  check "xgboost labels outside [0, num_class) are a data error" 1 "label" -- \
    "$shelf" train --algorithm xgboost --train "$data/abalone/train.csv" --hp num_round=2 --hp objective=multi:softmax \
      --hp num_class=3 --model-dir "$work/m"
  check "xgboost evaluates a saved model" 0 '"test:rmse"' -- \
    "$shelf" evaluate --model-dir "$work/xgr" --test "$data/abalone/test.csv"
fi

# The command line's own contract (issue: no silent wrong answers, every channel checked first).
check "--version names the release" 0 '^shelf [0-9]+\.[0-9]+\.[0-9]+' -- "$shelf" --version
check "list NAME shows one algorithm, numbers in their shortest form" 0 'eta = 0\.3  ' -- "$shelf" list xgboost
check "list of an unknown name is a usage error with a suggestion" 2 "did you mean 'xgboost'" -- "$shelf" list xgbost
check "a --hp key given twice is a usage error" 2 "given twice" -- \
  "$shelf" train --algorithm kmeans --train "$data/abalone/train-features.csv" --hp k=3 --hp k=4 --model-dir "$work/m"
printf '{"k": "3"}' >"$work/k.json"
check "a key in the file and in --hp is a usage error" 2 "both in" -- \
  "$shelf" train --algorithm kmeans --train "$data/abalone/train-features.csv" --hyperparameters "$work/k.json" \
    --hp k=4 --model-dir "$work/m"
printf '1,,3\n4,5,6\n' >"$work/holes.csv"
check "missing values say which algorithms read them and what to do" 1 "only xgboost reads missing values" -- \
  "$shelf" train --algorithm kmeans --train "$work/holes.csv" --hp k=1 --model-dir "$work/m"
if has kmeans; then
  check "predict reads standard input with --input -" 0 '"closest_cluster": [0-3]' -- \
    bash -c "head -3 '$data/abalone/test-features.csv' | '$shelf' predict --model-dir '$work/kmeans' --input -"
  head -2 "$data/abalone/test-features.csv" | awk -F, '{printf "{\"features\": [%s]}\n", $0}' >"$work/requests.jsonl"
  check "JSON lines feature requests are answered per line" 0 '^\{"closest_cluster": [0-3], "distance_to_cluster": [0-9.e-]+\}$' -- \
    "$shelf" predict --model-dir "$work/kmeans" --input "$work/requests.jsonl"
  { printf '{"instances": ['; head -2 "$data/abalone/test-features.csv" | awk -F, '{printf "%s{\"features\": [%s]}", (NR > 1 ? ", " : ""), $0}'; printf ']}'; } >"$work/request.json"
  check "an application/json request gets the platform's {\"predictions\": [...]}" 0 '^\{"predictions": \[\{"closest_cluster": [0-3], "distance_to_cluster": [0-9.e-]+\}, \{' -- \
    "$shelf" predict --model-dir "$work/kmeans" --input "$work/request.json" --accept application/json
  check "inspect shows the family, hyperparameters and training shape" 0 '"train_rows": 3177' -- \
    "$shelf" inspect --model-dir "$work/kmeans"
  check "a kmeans model cannot be exported as XGBoost JSON" 2 "cannot be exported" -- \
    "$shelf" export --model-dir "$work/kmeans" --format xgboost-json
fi
if has xgboost; then
  cut -d, -f1-9 "$data/abalone/test-features.csv" >"$work/short.csv"
  check "xgboost predict refuses a file one column short, naming both counts" 1 "has 9 columns, the model expects 10" -- \
    "$shelf" predict --model-dir "$work/xgb" --input "$work/short.csv"
  check "xgboost predict on a labelled file hints at the label column" 1 "label column" -- \
    "$shelf" predict --model-dir "$work/xgb" --input "$data/abalone/test.csv"
  check "evaluate refuses a features-only file instead of reading a feature as the label" 1 "has 9 columns, the model expects 10" -- \
    "$shelf" evaluate --model-dir "$work/xgr" --test "$data/abalone/test-features.csv"
  awk -F, 'BEGIN{OFS=","} {$1 = ($1 >= 10) ? 1 : 3; print}' "$data/abalone/test.csv" >"$work/badtest.csv"
  rm -rf "$work/never"
  check "a bad test label is found before training, naming the file" 1 "badtest.csv" -- \
    "$shelf" train --algorithm xgboost --train "$work/binary.csv" --test "$work/badtest.csv" --hp num_round=5 \
      --hp objective=binary:logistic --model-dir "$work/never"
  [ ! -e "$work/never" ] && echo "ok: nothing written when a channel is bad" || { echo "FAIL: a model dir was written"; failures=$((failures + 1)); }
  { echo; head -2 "$work/binary.csv"; echo "  "; sed -n 3p "$work/binary.csv" | sed 's/^[^,]*,/2,/'; } >"$work/blanklines.csv"
  check "a bad label is named by its line in the file, past blank lines" 1 "blanklines.csv: the label in line 5 is 2" -- \
    "$shelf" train --algorithm xgboost --train "$work/blanklines.csv" --hp num_round=2 \
      --hp objective=binary:logistic --model-dir "$work/never"
  # libsvm index base: decided at training, stored, and used for every later file.
  awk -F, '{printf "%s", $1; for (i = 2; i <= NF; ++i) if ($i != 0) printf " %d:%s", i - 2, $i; print ""}' \
    "$work/binary.csv" >"$work/zero.libsvm"
  grep -v ' 0:' "$work/zero.libsvm" | head -50 >"$work/zero-part.libsvm"
  "$shelf" train --algorithm xgboost --train "$work/zero.libsvm" --hp num_round=10 --hp objective=binary:logistic \
    --model-dir "$work/xz" >/dev/null 2>&1
  "$shelf" predict --model-dir "$work/xz" --input "$work/zero.libsvm" | grep -n . | sed 's/^[0-9]*://' >"$work/all.out"
  grep -vn ' 0:' "$work/zero.libsvm" | head -50 | cut -d: -f1 | while read -r n; do sed -n "${n}p" "$work/all.out"; done >"$work/expect.out"
  "$shelf" predict --model-dir "$work/xz" --input "$work/zero-part.libsvm" >"$work/part.out" 2>&1
  if cmp -s "$work/expect.out" "$work/part.out" && [ -s "$work/part.out" ]; then echo "ok: a 0-based model reads a file without index 0 as 0-based"
  else echo "FAIL: libsvm index base not kept"; head -3 "$work/expect.out" "$work/part.out"; failures=$((failures + 1)); fi
  check "a 1-based model refuses a file with index 0" 1 "index 0" -- \
    "$shelf" predict --model-dir "$work/xgl" --input "$work/zero.libsvm"
  cp "$work/binary.libsvm" "$work/binary.txt"
  check "libsvm is detected by content" 0 '^\{"score": ' -- "$shelf" predict --model-dir "$work/xgl" --input "$work/binary.txt"
  check "inspect shows gbt feature importance" 0 '"importance' -- "$shelf" inspect --model-dir "$work/xgb"
  check "export writes XGBoost's JSON model" 0 '"learner"' -- \
    "$shelf" export --model-dir "$work/xgb" --format xgboost-json --output -
  awk -F, 'BEGIN{OFS=" "} {$1 = ($1 >= 10) ? 1 : -1; printf "%s", $1; for (i = 2; i <= NF; ++i) printf " %d:%s", i - 1, $i; print ""}' \
    "$data/abalone/train.csv" >"$work/pm.libsvm"
  check "xgboost with -1/+1 labels says what to change" 1 "0 or 1" -- \
    "$shelf" train --algorithm xgboost --train "$work/pm.libsvm" --hp num_round=2 --hp objective=binary:logistic --model-dir "$work/m"
  printf '# made by hand\n\n1 1:0.5\n-1 1:2\n' >"$work/comment.libsvm"
  check "libsvm rows are named by line past comment lines" 1 "comment.libsvm: the label in line 4 is -1" -- \
    "$shelf" train --algorithm xgboost --train "$work/comment.libsvm" --hp num_round=2 \
      --hp objective=binary:logistic --model-dir "$work/never"
  printf '1 qid:3 1:0.5\n0 qid:3 1:2\n' >"$work/qid.libsvm"
  check "qid tokens are refused saying what to do, not which option to set" 1 "remove the qid:N tokens" -- \
    "$shelf" train --algorithm xgboost --train "$work/qid.libsvm" --hp num_round=2 --model-dir "$work/m"
  printf '1 4000000000:1\n0 1:2\n' >"$work/huge.libsvm"
  check "a huge libsvm index is a clear error naming file and row" 1 "huge.libsvm: line 1 reaches feature column 4000000000" -- \
    "$shelf" train --algorithm xgboost --train "$work/huge.libsvm" --hp num_round=2 --model-dir "$work/m"
  check "early stopping is announced with the best round" 0 "best round" -- \
    "$shelf" train --algorithm xgboost --train "$data/abalone/train.csv" --validation "$data/abalone/test.csv" \
      --hp num_round=200 --hp eta=0.5 --hp early_stopping_rounds=3 --model-dir "$work/m"
fi

if has randomcutforest; then
  # A labelled test channel: the abalone rows as normal (0) and one far-off row as an anomaly (1).
  { sed 's/^/0,/' "$data/abalone/test-features.csv"; echo "1,9,9,9,9,9,9,9,9,9,9"; } >"$work/anomalies.csv"
  check "randomcutforest trains on features and reports test accuracy and f1" 0 '"test:f1"' -- \
    "$shelf" train --algorithm randomcutforest --train "$data/abalone/train-features.csv" --test "$work/anomalies.csv" \
      --hp num_samples_per_tree=128 --model-dir "$work/rcf"
  check "randomcutforest predicts a score per row" 0 '^\{"score": [0-9.]+\}$' -- \
    "$shelf" predict --model-dir "$work/rcf" --input "$data/abalone/test-features.csv"
  check "randomcutforest evaluates a labelled file" 0 '"test:recall": 1' -- \
    "$shelf" evaluate --model-dir "$work/rcf" --test "$work/anomalies.csv"
  check "randomcutforest inspect shows the threshold" 0 '"threshold"' -- "$shelf" inspect --model-dir "$work/rcf"
  { sed 's/^/0,/' "$data/abalone/test-features.csv"; echo "2,1,1,1,1,1,1,1,1,1,1"; } >"$work/badlabel.csv"
  check "randomcutforest refuses a label other than 0 or 1" 1 "expected 0 \(normal\) or 1 \(anomaly\)" -- \
    "$shelf" evaluate --model-dir "$work/rcf" --test "$work/badlabel.csv"
  check "randomcutforest refuses num_samples_per_tree above 2048" 2 "num_samples_per_tree" -- \
    "$shelf" train --algorithm randomcutforest --train "$data/abalone/train-features.csv" \
      --hp num_samples_per_tree=4096 --model-dir "$work/m"

  # A stream: a daily cycle learnt from its first 600 points, then 300 more with a spike at 150.
  awk 'BEGIN { srand(3); for (t = 0; t < 900; t++) printf "%.4f\n", sin(2 * 3.14159265 * t / 24) + 0.05 * rand() }' \
    | head -600 >"$work/stream-head.csv"
  awk 'BEGIN { srand(4); for (t = 600; t < 900; t++) printf "%.4f\n", (t == 750 ? 4 : 0) + sin(2 * 3.14159265 * t / 24) + 0.05 * rand() }' \
    >"$work/stream-next.csv"
  check "randomcutforest streaming=true learns a series, shingled" 0 "training randomcutforest" -- \
    "$shelf" train --algorithm randomcutforest --train "$work/stream-head.csv" --hp streaming=true --hp shingle_size=8 \
      --hp num_trees=50 --hp num_samples_per_tree=64 --model-dir "$work/rcfs"
  check "a stream's predict gives score and grade per row as it goes on, the spike graded highest" 0 "^300 151$" -- \
    bash -c "\"$shelf\" predict --model-dir \"$work/rcfs\" --input \"$work/stream-next.csv\" --accept text/csv \
      --output \"$work/stream.csv\" && echo \$(wc -l <\"$work/stream.csv\") \
      \$(awk -F, '\$2 > top { top = \$2; row = NR } END { print row }' \"$work/stream.csv\")"
  check "a stream's predict leaves the model as trained: the same answer again" 0 "^same$" -- \
    bash -c "\"$shelf\" predict --model-dir \"$work/rcfs\" --input \"$work/stream-next.csv\" --accept text/csv \
      | cmp - \"$work/stream.csv\" && echo same"
  check "verbose=true adds the attribution, 2 x 8 values" 0 '"attribution": \[([^,]+, ){15}[^,]+\]' -- \
    "$shelf" predict --model-dir "$work/rcfs" --input "$work/stream-next.csv" --accept 'application/jsonlines;verbose=true'
  check "a stream's inspect shows its memory" 0 '"bytes_per_tree"' -- "$shelf" inspect --model-dir "$work/rcfs"
  check "shingle_size without streaming=true is refused by name" 2 "shingle_size and time_decay need streaming=true" -- \
    "$shelf" train --algorithm randomcutforest --train "$work/stream-head.csv" --hp shingle_size=8 --model-dir "$work/m"
  check "a stream refuses rows of another width" 1 "column" -- \
    "$shelf" predict --model-dir "$work/rcfs" --input "$data/abalone/test-features.csv"
fi

if has deepar; then
  # Twelve hourly series of a daily cycle, three categories, one missing point.
  awk 'BEGIN { srand(7); for (i = 0; i < 12; i++) { printf "{\"start\": \"2021-03-01 00:00:00\", \"target\": [";
    for (t = 0; t < 200; t++) { v = (10 + 5 * (i % 3)) * (1 + 0.5 * sin(2 * 3.14159265 * t / 24)) + rand();
      if (t == 50 && i == 0) printf ", \"NaN\""; else printf "%s%.3f", (t ? ", " : ""), v }
    printf "], \"cat\": [%d]}\n", i % 3 } }' >"$work/series.jsonl"
  deepar_hp=(--hp time_freq=H --hp prediction_length=24 --hp context_length=48 --hp epochs=2
             --hp num_batches_per_epoch=5 --hp mini_batch_size=32 --hp num_cells=16 --hp averaged_epochs=2)
  check "deepar trains on JSON lines and reports test RMSE and weighted quantile losses" 0 '"test:wQuantileLoss\[0.9\]"' -- \
    "$shelf" train --algorithm deepar --train "$work/series.jsonl" --test "$work/series.jsonl" "${deepar_hp[@]}" \
      --model-dir "$work/deepar"
  expect_file_contains "metrics.json holds test:mean_wQuantileLoss" "$work/deepar/metrics.json" '"test:mean_wQuantileLoss"'
  check "deepar predicts mean and quantiles per series" 0 '^\{"mean": \[[0-9.e+-]+(, [0-9.e+-]+){23}\], "quantiles": \{"0.1": \[.*"0.9": \[[^]]*\]\}\}$' -- \
    "$shelf" predict --model-dir "$work/deepar" --input "$work/series.jsonl"
  [ "$(wc -l <"$work/out")" = 12 ] && echo "ok: one forecast per series" || { echo "FAIL: deepar rows"; failures=$((failures + 1)); }
  check "deepar evaluates to test metrics" 0 '"test:RMSE"' -- \
    "$shelf" evaluate --model-dir "$work/deepar" --test "$work/series.jsonl"
  check "deepar refuses an unknown time_freq, listing the valid ones" 2 "min, H, D, W, M" -- \
    "$shelf" train --algorithm deepar --train "$work/series.jsonl" --hp time_freq=Q --hp prediction_length=2 \
      --hp context_length=2 --hp epochs=1 --model-dir "$work/m"
  sed 's/"cat": \[2\]/"cat": [7]/' "$work/series.jsonl" >"$work/bad-cat.jsonl"
  check "deepar names the series and field of a category beyond the cardinality" 1 'series 3 \(1-based\): cat\[0\] = 7 is out of range' -- \
    "$shelf" evaluate --model-dir "$work/deepar" --test "$work/bad-cat.jsonl"
  check "deepar trains with cardinality=ignore" 0 "" -- \
    "$shelf" train --algorithm deepar --train "$work/series.jsonl" "${deepar_hp[@]}" --hp cardinality=ignore \
      --model-dir "$work/deepar-ignore"
  check "a model that ignores cat reads series whatever their categories" 0 '^\{"mean": ' -- \
    "$shelf" predict --model-dir "$work/deepar-ignore" --input "$work/bad-cat.jsonl"
  check "deepar trains with scaling=standard and forecasts" 0 "" -- \
    "$shelf" train --algorithm deepar --train "$work/series.jsonl" "${deepar_hp[@]}" --hp scaling=standard \
      --model-dir "$work/deepar-standard"
  check "a standardised model forecasts mean and quantiles" 0 '^\{"mean": \[[0-9.e+-]+(, [0-9.e+-]+){23}\], ' -- \
    "$shelf" predict --model-dir "$work/deepar-standard" --input "$work/series.jsonl"
  check "deepar refuses scaling=standard for the negative binomial" 2 'scaling=standard.*negative-binomial' -- \
    "$shelf" train --algorithm deepar --train "$work/series.jsonl" "${deepar_hp[@]}" --hp scaling=standard \
      --hp likelihood=negative-binomial --model-dir "$work/m"
  printf '{"start": "2021-13-01", "target": [1, 2]}\n' >"$work/bad-start.jsonl"
  check "deepar refuses a malformed start, naming the line" 1 'bad-start.jsonl:1:.*start' -- \
    "$shelf" predict --model-dir "$work/deepar" --input "$work/bad-start.jsonl"
  # The platform's request document: instances and a configuration.
  request() {  # request CONFIGURATION_JSON > file: the first two series as instances
    printf '{"instances": [%s, %s], "configuration": %s}\n' "$(sed -n 1p "$work/series.jsonl")" \
      "$(sed -n 2p "$work/series.jsonl")" "$1"
  }
  request '{"num_samples": 5, "output_types": ["mean", "samples"]}' >"$work/request.json"
  check "deepar answers a request's output_types and num_samples: 5 sample paths of 24 steps" 0 \
    '^\{"predictions": \[\{"mean": \[[^]]*\], "samples": \[\[[^]]*\](, \[[^]]*\]){4}\]\}, \{"mean"' -- \
    "$shelf" predict --model-dir "$work/deepar" --input "$work/request.json" --accept application/json
  grep -qE '"samples": \[\[[0-9.e+-]+(, [0-9.e+-]+){23}\],' "$work/out" && echo "ok: a sample path has 24 steps" ||
    { echo "FAIL: deepar sample path length"; failures=$((failures + 1)); }
  request '{"output_types": ["quantiles"], "quantiles": ["0.5", 0.95]}' >"$work/request.json"
  check "deepar answers the request's quantile levels alone" 0 '^\{"predictions": \[\{"quantiles": \{"0.5": \[[^]]*\], "0.95": \[[^]]*\]\}\}, ' -- \
    "$shelf" predict --model-dir "$work/deepar" --input "$work/request.json" --accept application/json
  request '{"output_types": ["mean", "median"]}' >"$work/request.json"
  check "deepar refuses an unknown output type, naming the file" 1 'request.json: configuration: .*unknown type "median"' -- \
    "$shelf" predict --model-dir "$work/deepar" --input "$work/request.json"
  request '{"num_sample": 5}' >"$work/request.json"
  check "deepar refuses an unknown configuration key" 1 'request.json: configuration: unknown key "num_sample"' -- \
    "$shelf" predict --model-dir "$work/deepar" --input "$work/request.json"
  check "deepar reads a batch's configuration from DEEPAR_INFERENCE_CONFIG" 0 '^\{"quantiles": \{"0.5": \[[^]]*\]\}\}$' -- \
    env 'DEEPAR_INFERENCE_CONFIG={"output_types": ["quantiles"], "quantiles": ["0.5"]}' \
    "$shelf" predict --model-dir "$work/deepar" --input "$work/series.jsonl"
  check "deepar names DEEPAR_INFERENCE_CONFIG when it is not a configuration" 1 'DEEPAR_INFERENCE_CONFIG: quantile 1.5' -- \
    env 'DEEPAR_INFERENCE_CONFIG={"quantiles": [1.5]}' "$shelf" predict --model-dir "$work/deepar" --input "$work/series.jsonl"
  # A dynamic feature (a holiday flag): training series carry it over their points, predict input
  # over the points and the 24 forecast steps.
  for steps in 200 224; do
    awk -v steps=$steps 'BEGIN { srand(11); for (i = 0; i < 6; i++) { printf "{\"start\": \"2021-03-01 00:00:00\", \"target\": [";
      for (t = 0; t < 200; t++) printf "%s%.3f", (t ? ", " : ""), 10 + 5 * (t % 24 < 12) + 3 * (t % 168 < 24) + rand();
      printf "], \"dynamic_feat\": [["; for (t = 0; t < steps; t++) printf "%s%d", (t ? ", " : ""), (t % 168 < 24);
      printf "]]}\n" } }' >"$work/dynamic-$steps.jsonl"
  done
  check "deepar trains with a dynamic feature" 0 '' -- \
    "$shelf" train --algorithm deepar --train "$work/dynamic-200.jsonl" "${deepar_hp[@]}" --model-dir "$work/deepar-dyn"
  check "deepar predicts from series whose dynamic feature covers the forecast steps" 0 '^\{"mean": \[' -- \
    "$shelf" predict --model-dir "$work/deepar-dyn" --input "$work/dynamic-224.jsonl"
  [ "$(wc -l <"$work/out")" = 6 ] && echo "ok: one forecast per series with dynamic features" || { echo "FAIL: deepar dynamic rows"; failures=$((failures + 1)); }
  check "deepar predict names the dynamic feature that stops at the target's end" 1 'dynamic-200.jsonl:1:.*224' -- \
    "$shelf" predict --model-dir "$work/deepar-dyn" --input "$work/dynamic-200.jsonl"
  check "deepar refuses CSV input" 1 'application/jsonlines' -- \
    "$shelf" predict --model-dir "$work/deepar" --input "$data/abalone/test-features.csv"
fi

echo "$failures failure(s)"
[ "$failures" = 0 ]
