"""Reads a Delta table with delta-rs (no JVM) and prints what a check needs as one JSON object:
protocol, table features, row count, rows per logical_date, the probability sum and a few rows by key.
Usage: read_delta.py TABLE_PATH KEY_COLUMN [KEY ...]"""
import json
import sys

from deltalake import DeltaTable

path, key_column, keys = sys.argv[1], sys.argv[2], sys.argv[3:]
table = DeltaTable(path)
protocol = table.protocol()
data = table.to_pyarrow_table()
rows = data.to_pylist()
per_date = {}
for r in rows:
    d = str(r["logical_date"])
    per_date[d] = per_date.get(d, 0) + 1
picked = {}
for r in rows:
    if r[key_column] in keys:
        picked[r[key_column]] = {k: (v if isinstance(v, (int, float, str, list, type(None))) else str(v)) for k, v in r.items()}
print(json.dumps({
    "version": table.version(),
    "min_reader_version": protocol.min_reader_version,
    "min_writer_version": protocol.min_writer_version,
    "reader_features": protocol.reader_features,
    "writer_features": protocol.writer_features,
    "configuration": table.metadata().configuration,
    "columns": data.column_names,
    "rows": data.num_rows,
    "rows_per_date": per_date,
    "probability_sum": sum(r["probability"] for r in rows),
    "picked": picked,
}, sort_keys=True))
