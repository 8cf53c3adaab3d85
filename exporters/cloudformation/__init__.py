"""CloudFormation and SAM, both directions (export here; import in read.py)."""

from .export import export_template, template_text
from .render import build_template
