-- The seven steps in BigQuery ML's SQL, on the bundled churn data.
-- Run from the repository root:  build/strata sql examples/sql/churn.sql
-- (a workspace ./strata.db is created if there is none; the script replaces what it makes).

-- 1. Collect
LOAD DATA OVERWRITE churn FROM FILES(format = 'CSV', uris = ['examples/data/churn.csv']);

-- 2. Prepare: the label's class balance (14% churners: imbalanced).
SELECT churn, count(*) AS customers, round(100.0 * count(*) / (SELECT count(*) FROM churn), 1) AS percent
FROM churn GROUP BY churn;

-- 3-4. Choose and train: boosted trees, with upsampling of the churners by SMOTE-NC (a Strata
-- extension) on the training split only, and standardised day minutes through TRANSFORM.
CREATE OR REPLACE MODEL churn_sql_model
TRANSFORM(
  ML.STANDARD_SCALER(total_day_minutes) OVER() AS day_minutes_z,
  * EXCEPT (total_day_minutes)
)
OPTIONS(model_type = 'boosted_tree_classifier', input_label_cols = ['churn'],
        max_iterations = 30, upsample_method = 'smote_nc', upsample_ratio = 0.5)
AS SELECT * FROM churn;

-- 5. Evaluate on the evaluation split, with the confusion matrix at the chosen threshold.
SELECT precision, recall, f1_score, roc_auc, pr_auc, threshold FROM ML.EVALUATE(MODEL churn_sql_model);
SELECT * FROM ML.CONFUSION_MATRIX(MODEL churn_sql_model);

-- Why: the columns that matter most.
SELECT feature, round(importance_gain, 2) AS gain FROM ML.FEATURE_IMPORTANCE(MODEL churn_sql_model)
ORDER BY importance_gain DESC LIMIT 5;

-- 7. Predict: the customers most likely to leave, by state.
SELECT state, count(*) AS customers, sum(predicted_churn = 'yes') AS predicted_to_churn
FROM ML.PREDICT(MODEL churn_sql_model, TABLE churn)
GROUP BY state ORDER BY predicted_to_churn DESC LIMIT 5;
