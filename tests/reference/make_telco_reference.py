#!/usr/bin/python3
"""Aggregates of scikit-learn's preprocessing of the IBM Telco churn table, for
tests/preprocessing/column_transformer.cpp. Only aggregates are written (feature names,
per-column sums, sums of squares and a fixed projection), never the data.

    CLM_DATA_DIR=../shared/data /usr/bin/python3 tests/reference/make_telco_reference.py

Preprocessing: drop customerID and Churn; numeric SeniorCitizen, tenure, MonthlyCharges,
TotalCharges (blank -> missing) -> SimpleImputer(median) -> StandardScaler; every other
column -> OneHotEncoder (dense). Fitted on all 7,043 rows.
"""
import os

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))

df = pd.read_csv(os.path.join(os.environ["CLM_DATA_DIR"], "telco", "WA_Fn-UseC_-Telco-Customer-Churn.csv"))
df["TotalCharges"] = pd.to_numeric(df["TotalCharges"].str.strip().replace("", np.nan))
df = df.drop(columns=["customerID", "Churn"])
numeric = ["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"]
categorical = [c for c in df.columns if c not in numeric]
ct = ColumnTransformer([
    ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
    ("cat", OneHotEncoder(sparse_output=False), categorical)], verbose_feature_names_out=False)
Z = ct.fit_transform(df)
w = np.cos(np.arange(Z.shape[0]) * 0.37)  # a fixed projection of the rows
with open(os.path.join(HERE, "telco_column_transformer.txt"), "w") as f:
    f.write(f"{Z.shape[0]} {Z.shape[1]}\n")
    f.write(",".join(categorical) + "\n")
    for name, s, ss, p in zip(ct.get_feature_names_out(), Z.sum(axis=0), (Z * Z).sum(axis=0), w @ Z):
        f.write(f"{name}\t{s!r}\t{ss!r}\t{p!r}\n")
print("wrote", Z.shape)
