"""The demo data: plausible source files for every commune (demo/generate.py, demo/skills.py), written
from DuckDB SQL (demo/sql/) and loaded through the ETL like real exports (`etl.loader.load_files`).

It is not part of the ETL: the ETL loads what stewards export; this package only writes such files.

    python -m demo [--db FILE] [--out DIR] [--scale demo|national]
"""

from demo.generate import DEFAULT_SEED, SCALES, build_demo, generate_demo_files

__all__ = ["DEFAULT_SEED", "SCALES", "build_demo", "generate_demo_files"]
