"""The JSON Schema of the report (`report.schema.json`), shipped with the package."""
