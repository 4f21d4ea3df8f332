"""The reports page (/informes/): generate in the background with progress, preview, download, history, and the
subscription to the monthly bulletin. A thin adapter over ``reports.runs`` (create + complete)."""
