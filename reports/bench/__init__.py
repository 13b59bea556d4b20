"""The benchmark harness behind `manage.py bench_aggregates` and `bench_api`, kept out of the
engine and the API (docs/benchmarks.md)."""
