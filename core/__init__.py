"""Types and settings shared by the writer (etl/) and the read side (metrics/ and above): reporting
periods, the official list of places, the service index's groups and maxima, the metric catalogue,
rankings and tiers, where the warehouse is.  core/ imports nothing else of the project."""
