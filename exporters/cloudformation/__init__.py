"""Design -> CloudFormation or SAM template (the importer is importers/cloudformation).

render.py builds the template dict (from template.py's building blocks and the renderers
in services.py, api.py, edges.py and sam.py); export.py writes it as YAML or JSON.
"""

from .export import export_template, template_text
from .render import build_template

__all__ = ["build_template", "export_template", "template_text"]
