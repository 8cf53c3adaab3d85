"""Exporters: design -> CloudFormation, SAM, Terraform, and the live boto3 deployer.

`export(arch, fmt, out_path, design_dir)` is what the CLI and the GUI call.
"""

from __future__ import annotations

FORMATS = ("cloudformation", "sam", "terraform")


def export(arch, fmt: str, out_path: str, design_dir: str | None = None) -> list[str]:
    """Write `arch` in `fmt` to `out_path` (a file for CFN/SAM, a folder for Terraform)."""
    if fmt == "terraform":
        from .terraform import export_terraform

        return export_terraform(arch, out_path, design_dir=design_dir)
    from .cloudformation import export_template

    return [export_template(arch, out_path, sam=(fmt == "sam"), design_dir=design_dir)]
