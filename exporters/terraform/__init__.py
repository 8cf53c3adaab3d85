"""Terraform, both directions (export here; import in read.py)."""

from .export import config_files, export_terraform
from .render import build_config
