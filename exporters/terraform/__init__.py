"""Design -> Terraform configuration folder (the importer is importers/terraform).

render.py builds the blocks of each file (from config.py's building blocks and the
renderers in services.py, api.py and edges.py); export.py writes them as HCL.
"""

from .export import config_files, export_terraform
from .render import build_config

__all__ = ["build_config", "config_files", "export_terraform"]
