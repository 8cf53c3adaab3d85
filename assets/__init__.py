"""Stratus's data files: the price list, the service icons and the example designs.

They ship inside the package (pyproject.toml's package-data), so a wheel or `pip install .`
has them as well as the source tree, and every module finds them here, not through its own
`__file__`. They are resolved from this file rather than with `importlib.resources.files`:
the callers need real paths (Qt's SVG renderer, the example gallery's directory listing,
error messages naming the file), which `files()` only promises through `as_file`, and
`as_file` takes a directory only from Python 3.12. pip always installs a wheel unpacked, so
the directory beside this file is the package's data in every supported install.
"""

from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent
PRICE_FILE = ASSETS_DIR / "pricing" / "us-east-1.yaml"
ICON_DIR = ASSETS_DIR / "icons"
EXAMPLES_DIR = ASSETS_DIR / "examples"
